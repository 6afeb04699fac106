import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "@gastown/testkit";
import { Redis } from "ioredis";

/**
 * A throwaway redis-server for ONE test, with append-only persistence (as in production,
 * infra/redis/redis.conf), so stopping and starting it keeps the data, and flushing it
 * touches nothing else.
 */
export interface TestRedis {
  url: string;
  /** Stops the server (SIGTERM: the AOF is flushed; data survives a `start`). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data directory. */
  start(): Promise<void>;
  /** FLUSHALL on this test's own instance. */
  flushAll(): Promise<void>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
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

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gt-infra-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always"];
  const onExit = () => child?.kill("SIGKILL");
  process.once("exit", onExit);

  const redis: TestRedis = {
    url,
    async start() {
      child = spawn("redis-server", args, { stdio: "ignore" });
      await waitFor(() => ping(url), 10_000, `redis-server on ${port}`, 50);
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGTERM");
      await exited;
    },
    async flushAll() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
    async close() {
      await redis.stop();
      process.off("exit", onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}
