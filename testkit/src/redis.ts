import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { freePort } from "./ports.js";
import { HOW_TO_GET_REDIS, redisAnswers, spawnRedisProcess, tempDir } from "./redis-process.js";

async function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return redisAnswers(hostname, Number(port || 6379), new URL(url).password || undefined);
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

/** Deletes every key under `prefix` (only keys this test created); on a cluster, on every primary. */
export async function deleteKeys(redis: Redis | Cluster, prefix: string): Promise<void> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes("master") : [redis as Redis];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      // one key at a time: on a cluster the keys of one node may still sit in different slots
      for (const key of keys) await node.unlink(key);
    } while (cursor !== "0");
  }
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
  const persistence = options.appendonly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const child = await spawnRedisProcess(port, tempDir("redis"), ["--save", "", ...persistence]);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get process() {
      return child.process;
    },
    kill: (hard) => child.kill(hard),
    restart: () => child.restart(),
  };
}
