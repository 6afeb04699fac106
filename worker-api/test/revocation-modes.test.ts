import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { closeRedis, createRedisConnection, type RedisSettings, redisSettings } from "@gastown/service-kit";
import { DEVELOPMENT, deleteKeys, randomPrefix, startRedisCluster, startRedisSentinel } from "@gastown/testkit";
import { revokedSetKey } from "@gastown/token-policy";
import type { RunningWorkerApi } from "../src/index.js";
import { dispatchPair, revokeRefreshToken } from "./helpers/auth.js";
import { accepted, LIMIT_MS, refusalLatency, startWorker } from "./helpers/revocation.js";

// DESIGN.md invariant 4 on every Redis mode: a revoked session is refused by every
// worker-api instance within one second, on a Redis Cluster (classic PUBLISH on any node
// reaches the subscriber on any other) and on Sentinel, before and after a failover.
const PASSWORD = "revocation-modes-password-0123456789";
const [cluster, sentinel] = await Promise.all([startRedisCluster({ password: PASSWORD }), startRedisSentinel({ password: PASSWORD })]);
after(() => Promise.all([cluster.stop(), sentinel.stop()]));

const MODES: { mode: string; redis: RedisSettings; failover: (prefix: string) => Promise<string> }[] = [
  {
    mode: "cluster",
    redis: redisSettings({ REDIS_CLUSTER_NODES: cluster.seeds.join(","), REDIS_PASSWORD: PASSWORD })!,
    failover: async (prefix) => {
      const primary = await cluster.primaryOf(revokedSetKey(prefix));
      return `CLUSTER FAILOVER of :${primary} (holding the revoked set) -> :${await cluster.failover(primary)}`;
    },
  },
  {
    mode: "sentinel",
    redis: redisSettings({ REDIS_SENTINELS: sentinel.sentinels.join(","), REDIS_PASSWORD: PASSWORD })!,
    failover: async () => `SENTINEL FAILOVER -> :${await sentinel.failover()}`,
  },
];

for (const { mode, redis, failover } of MODES) {
  describe(`revocation latency on ${mode}`, () => {
    const prefix = randomPrefix("wrev-modes");
    let auth: RunningAuthService;
    let workers: RunningWorkerApi[];

    test("a revoked session is refused by both instances within one second", { timeout: 60_000 }, async () => {
      auth = await startAuthService({ env: DEVELOPMENT, redis, prefix, port: 0, logLevel: "silent" });
      workers = [await startWorker(auth, { redis, prefix }), await startWorker(auth, { redis, prefix })];
      const pair = await dispatchPair(auth);
      await accepted(workers, pair.access_token);
      await revokeRefreshToken(auth, pair.refresh_token);
      const latency = await refusalLatency(workers, pair.access_token, performance.now());
      assert.ok(latency < LIMIT_MS, `refused after ${latency} ms`);
    });

    test("after a failover, a new revocation is refused by both instances within one second", { timeout: 60_000 }, async () => {
      console.log(`${mode}: ${await failover(prefix)}`);
      const pair = await dispatchPair(auth);
      await accepted(workers, pair.access_token);
      await revokeRefreshToken(auth, pair.refresh_token);
      const latency = await refusalLatency(workers, pair.access_token, performance.now());
      assert.ok(latency < LIMIT_MS, `refused after ${latency} ms`);
    });

    after(async () => {
      for (const worker of workers ?? []) await worker.close();
      await auth?.close();
      const cleanup = createRedisConnection(redis, { name: `${prefix}cleanup` });
      await deleteKeys(cleanup, prefix).catch(() => {});
      await closeRedis(cleanup);
    });
  });
}
