import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./ports.js";

const HOW_TO_GET_REDIS =
  "Tests need Redis. Set REDIS_URL, run one on 127.0.0.1:6379 " +
  '(redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no), ' +
  "or install redis-server (apt-get install -y redis-server) so tests can start their own.";

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

let shared: Promise<string> | undefined;

/**
 * The Redis that tests use: `REDIS_URL`, else 127.0.0.1:6379, else a throwaway
 * `redis-server` from PATH on a free port (stopped when the process exits). Fails with a
 * message saying how to get Redis; never skips.
 */
export function testRedisUrl(): Promise<string> {
  shared ??= (async () => {
    if (process.env.REDIS_URL) {
      if (await answers(process.env.REDIS_URL)) return process.env.REDIS_URL;
      throw new Error(`REDIS_URL=${process.env.REDIS_URL} does not answer. ${HOW_TO_GET_REDIS}`);
    }
    if (await answers("redis://127.0.0.1:6379")) return "redis://127.0.0.1:6379";
    const server = await startRedisServer();
    process.once("exit", () => server.kill());
    return server.url;
  })();
  return shared;
}

/** A random key prefix per test, so tests never touch each other's keys (or flush anything). */
export function randomPrefix(label = "t"): string {
  return `gtt:${label}:${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key under `prefix` (only keys this test created). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
}

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Stops the server (SIGKILL when `hard`). */
  kill(hard?: boolean): Promise<void>;
  /** Starts it again on the same port (after `kill`). Data is not persisted unless `appendonly`. */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /**
   * Append-only persistence, every write synced (as infra/redis/redis.conf in production):
   * the data survives `kill()` (SIGTERM) and `restart()`. Default false: a restart starts empty.
   */
  appendonly?: boolean;
}

/** Starts a throwaway `redis-server` from PATH on a free loopback port. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gt-redis-"));
  const persistence = options.appendonly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  let child: ChildProcess;
  const launch = async () => {
    child = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "", ...persistence, "--dir", dir], { stdio: "ignore" });
    const failed = new Promise<never>((_, reject) => {
      child.once("error", (cause) => reject(new Error(`cannot start redis-server. ${HOW_TO_GET_REDIS}`, { cause })));
    });
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const ok = await Promise.race([answers(url), failed]);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    throw new Error(`redis-server on port ${port} did not answer. ${HOW_TO_GET_REDIS}`);
  };
  await launch();
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    get process() {
      return child;
    },
    async kill(hard = false) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill(hard ? "SIGKILL" : "SIGTERM");
      await exited;
    },
    async restart() {
      await server.kill();
      await launch();
    },
  };
  process.once("exit", () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  return server;
}
