import assert from "node:assert/strict";
import { test } from "node:test";
import { deleteKeys, randomPrefix, testRedisUrl } from "@gastown/testkit";
import { Redis } from "ioredis";
import { startChild } from "../src/children/start-child.js";
import { runClosedLoop } from "../src/load/closed-loop.js";
import { connectionPool, FORM_HEADERS, form, post } from "../src/load/http.js";
import { RefreshChains } from "../src/load/refresh-chains.js";
import { Progress } from "../src/progress.js";
import { memoryUnderPrefix } from "../src/redis/memory.js";
import { measurePosts } from "../src/scenarios/post-throughput.js";
import { startOidcTarget } from "../src/targets/oidc-target.js";

const quiet = new Progress(1, { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream);

test("closed-loop POSTs against bare Koa in a child process: counts, rates and ordered percentiles", async () => {
  const server = await startChild("bare-koa", {});
  try {
    const result = await measurePosts(
      { label: "bare Koa", origin: server.url, request: () => ({ path: "/x", body: '{"a":1}', headers: { "content-type": "application/json" } }) },
      4,
      1000,
      200,
      quiet,
    );
    assert.equal(result.errors, 0);
    assert.ok(result.ok > 50, `only ${result.ok} requests in 1 s`);
    assert.equal(result.perSecond, result.ok / 1);
    assert.ok(result.p50 > 0 && result.p50 <= result.p95 && result.p95 <= result.p99 && result.p99 <= result.max);
  } finally {
    await server.stop();
  }
  assert.notEqual(server.process.exitCode, null, "the child exited on stop");
});

test("errors are counted, and a worker that stops leaves the run early", async () => {
  let calls = 0;
  const result = await runClosedLoop({
    concurrency: 2,
    durationMs: 300,
    warmupMs: 0,
    worker: (index) => async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return index === 0 ? false : "stop";
    },
  });
  assert.equal(result.stoppedWorkers, 1);
  assert.equal(result.ok, 0);
  // Every failed call counts, except the last one of worker 0 when it ends after the window.
  assert.ok(result.errors >= 2 && calls - result.errors <= 1, `errors ${result.errors}, calls ${calls}`);
});

test("refresh chains rotate oidc-provider's refresh tokens through its token endpoint (Redis adapter)", async () => {
  const redisUrl = await testRedisUrl();
  const target = await startOidcTarget(redisUrl);
  const pool = connectionPool(target.child.url, 4);
  try {
    const tokens = await target.issue(4);
    const chains = new RefreshChains(pool, target.tokenPath, target.clientId, tokens);
    const result = await runClosedLoop({ concurrency: 4, durationMs: 800, warmupMs: 0, worker: (index) => chains.worker(index) });
    assert.equal(result.errors, 0);
    assert.ok(chains.rotations >= 4, `only ${chains.rotations} rotations`);
    // Rotation is on: the first token of chain 0 was consumed, presenting it again is refused.
    const reuse = await post(pool, target.tokenPath, form({ grant_type: "refresh_token", refresh_token: tokens[0] as string, client_id: target.clientId }), FORM_HEADERS);
    assert.equal(reuse.status, 400);
    assert.equal((JSON.parse(reuse.body) as { error: string }).error, "invalid_grant");
  } finally {
    await pool.close();
    await target.stop();
  }
  const redis = new Redis(redisUrl);
  try {
    assert.deepEqual(await memoryUnderPrefix(redis, target.prefix), { keys: 0, bytes: 0, streamKeys: 0, streamBytes: 0 }, "stop deletes the target's keys");
  } finally {
    await redis.quit();
  }
});

test("memoryUnderPrefix sums MEMORY USAGE over exactly the prefix's keys, streams also apart", async () => {
  const redis = new Redis(await testRedisUrl());
  const prefix = randomPrefix("bench-mem");
  try {
    await redis.set(`${prefix}a`, "x".repeat(100));
    await redis.set(`${prefix}b`, "y");
    await redis.xadd(`${prefix}log`, "*", "event", "e");
    const memory = await memoryUnderPrefix(redis, prefix);
    assert.equal(memory.keys, 3);
    assert.equal(memory.streamKeys, 1);
    assert.ok(memory.bytes - memory.streamBytes > 100 && memory.streamBytes > 0, JSON.stringify(memory));
  } finally {
    await deleteKeys(redis, prefix);
    await redis.quit();
  }
});
