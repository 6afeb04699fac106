import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { DEVELOPMENT, deleteKeys, type RedisServer, randomPrefix, startRedisServer, testRedisUrl, waitFor } from "@gastown/testkit";
import { InProcessRevocationBus, revokedSetKey } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { RevocationList, type RunningWorkerApi } from "../src/index.js";
import { dispatchPair, revokeRefreshToken } from "./helpers/auth.js";
import { accepted, LIMIT_MS, refusalLatency, startWorker } from "./helpers/revocation.js";

/** Kills every Redis connection of the workers (subscriber, resync and records). */
async function killWorkerConnections(admin: Redis, prefix: string): Promise<number> {
  const list = (await admin.client("LIST")) as string;
  let killed = 0;
  for (const line of list.split("\n")) {
    const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1];
    if (id && name?.startsWith(`${prefix}worker-`)) {
      await admin.client("KILL", "ID", id).catch(() => 0);
      killed += 1;
    }
  }
  return killed;
}

describe("revocation latency with real auth-service and Redis", () => {
  let auth: RunningAuthService;
  let workers: RunningWorkerApi[];
  let admin: Redis;
  const prefix = randomPrefix("wrev");

  before(async () => {
    const redisUrl = await testRedisUrl();
    admin = new Redis(redisUrl);
    auth = await startAuthService({ env: DEVELOPMENT, redisUrl, prefix, port: 0, logLevel: "silent" });
    workers = [await startWorker(auth, { redisUrl, prefix }), await startWorker(auth, { redisUrl, prefix })];
  });
  after(async () => {
    for (const worker of workers) await worker.close();
    await auth.close();
    await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  test("a revoked session is refused by every instance within one second", async () => {
    const pair = await dispatchPair(auth);
    await accepted(workers, pair.access_token);
    await revokeRefreshToken(auth, pair.refresh_token);
    const latency = await refusalLatency(workers, pair.access_token, performance.now());
    assert.ok(latency < LIMIT_MS, `refused after ${latency} ms`);
  });

  test("a missed pub/sub message (subscribers disconnected at the revocation) still lands within one second", async () => {
    const pair = await dispatchPair(auth);
    await accepted(workers, pair.access_token);
    const killed = await killWorkerConnections(admin, prefix);
    assert.ok(killed >= 6, `killed ${killed} worker connections`);
    await revokeRefreshToken(auth, pair.refresh_token);
    const startedAt = performance.now();
    const latency = await refusalLatency(workers, pair.access_token, startedAt);
    assert.ok(latency < LIMIT_MS, `refused after ${latency} ms`);
  });

  test("a revocation whose message was never published is found by the resync within one second", async () => {
    const pair = await dispatchPair(auth);
    await accepted(workers, pair.access_token);
    // As if the auth-service's publish was lost: only the sorted set knows.
    await admin.zadd(revokedSetKey(prefix), Math.floor(Date.now() / 1000) + 3600, pair.session_id);
    const latency = await refusalLatency(workers, pair.access_token, performance.now());
    assert.ok(latency < LIMIT_MS, `refused after ${latency} ms`);
  });

  test("after a Redis disconnect, a new revocation is refused within one second", async () => {
    await killWorkerConnections(admin, prefix);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pair = await dispatchPair(auth);
    await accepted(workers, pair.access_token);
    await revokeRefreshToken(auth, pair.refresh_token);
    const latency = await refusalLatency(workers, pair.access_token, performance.now());
    assert.ok(latency < LIMIT_MS, `refused after ${latency} ms`);
  });
});

describe("revocation latency across a Redis server restart", () => {
  let server: RedisServer;
  let auth: RunningAuthService;
  let worker: RunningWorkerApi;
  const prefix = randomPrefix("wrst");

  before(async () => {
    server = await startRedisServer();
    auth = await startAuthService({ env: DEVELOPMENT, redisUrl: server.url, prefix, port: 0, logLevel: "silent" });
    worker = await startWorker(auth, { redisUrl: server.url, prefix });
  });
  after(async () => {
    await worker.close();
    await auth.close();
    await server.kill();
  });

  test("Redis goes down and comes back: revocations reach the worker within one second", async () => {
    await server.restart();
    // The auth-service reconnects too; dispatch once it answers again.
    const pair = await waitFor(() => dispatchPair(auth), 10_000, "auth-service back on Redis", 100);
    await accepted([worker], pair.access_token);
    await revokeRefreshToken(auth, pair.refresh_token);
    const latency = await refusalLatency([worker], pair.access_token, performance.now());
    assert.ok(latency < LIMIT_MS, `refused after ${latency} ms`);
  });
});

describe("revocation without Redis: the in-process bus", () => {
  test("a revoked session is refused within one second", async () => {
    const bus = new InProcessRevocationBus();
    const auth = await startAuthService({ env: DEVELOPMENT, redisUrl: null, revocationBus: bus, port: 0, logLevel: "silent" });
    const worker = await startWorker(auth, { redisUrl: null, revocationBus: bus });
    try {
      const pair = await dispatchPair(auth);
      await accepted([worker], pair.access_token);
      await revokeRefreshToken(auth, pair.refresh_token);
      const latency = await refusalLatency([worker], pair.access_token, performance.now());
      assert.ok(latency < LIMIT_MS, `refused after ${latency} ms`);
    } finally {
      await worker.close();
      await auth.close();
    }
  });
});

describe("RevocationList", () => {
  test("keeps a revoked id until its access tokens would have expired", () => {
    let now = 1000;
    const list = new RevocationList(() => now);
    list.add("s-1", 1010);
    list.add("s-1", 1005); // an earlier until never shortens it
    assert.equal(list.isRevoked("s-1"), true);
    now = 1010;
    assert.equal(list.isRevoked("s-1"), true);
    now = 1011;
    assert.equal(list.isRevoked("s-1"), false);
    assert.equal(list.size, 0);
  });
});
