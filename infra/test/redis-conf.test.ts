import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, waitFor } from "@gastown/testkit";
import { Redis } from "ioredis";

// Issue 14: records must never fill the Redis that holds the sessions. The production
// configuration bounds memory (maxmemory) and never evicts (an evicted key is a lost session).
const CONF = new URL("../redis/redis.conf", import.meta.url).pathname;

test("infra/redis/redis.conf loads into a real redis-server with maxmemory set and noeviction", async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gastown-redis-conf-"));
  const server = spawn("redis-server", [CONF, "--port", String(port), "--dir", dir, "--bind", "127.0.0.1"], { stdio: "ignore" });
  server.once("error", (error) => assert.fail(`redis-server did not start (${error.message}); install redis-server (apt-get install redis-server)`));
  const redis = new Redis({ port, lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    await waitFor(async () => (await redis.ping().catch(() => "")) === "PONG", 10_000, "redis-server with the production configuration");
    const [, maxmemory] = (await redis.config("GET", "maxmemory")) as [string, string];
    const [, policy] = (await redis.config("GET", "maxmemory-policy")) as [string, string];
    assert.ok(Number(maxmemory) >= 1024 ** 3, `maxmemory is ${maxmemory}`);
    assert.equal(policy, "noeviction");
    const [, appendonly] = (await redis.config("GET", "appendonly")) as [string, string];
    assert.equal(appendonly, "yes", "persistence stays on");
  } finally {
    redis.disconnect();
    server.kill("SIGKILL");
    await new Promise((resolve) => server.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
