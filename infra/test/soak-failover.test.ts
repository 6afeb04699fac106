import { test } from "node:test";
import { redisSettings } from "@gastown/service-kit";
import { type RedisCluster, startRedisCluster, startRedisSentinel } from "@gastown/testkit";
import { runSoak } from "./harness/soak.js";

// DESIGN.md "Failure semantics": a Redis primary fails over during the Mayor soak; the
// services reconnect by themselves, agents keep working on their current tokens: zero
// failed callbacks (so zero 401s), every agent keeps its PID. Shortened soaks (45 s each).
// Rotations acknowledged by the old primary but not replicated are lost with it: those
// sessions answer invalid_grant, the supervisor reports them lost and the worker renews them
// by a pushed re-dispatch at its next reconcile, while the agent still works on its current
// access token. So the lifetimes are scaled together: 6 s tokens (a lost session's token
// has >= 3 s left with the tolerance) and a 1 s reconcile (30 s against ~12 min in production).
const SOAK_MS = 45_000;
const SCALED = { soakMs: SOAK_MS, minLifetimes: 6, accessTokenTtl: 6, reconcileIntervalMs: 1_000 };
const PASSWORD = "soak-failover-password-0123456789abcd";

test("Mayor soak on Sentinel through SENTINEL FAILOVER", { timeout: 180_000 }, async (t) => {
  const sentinel = await startRedisSentinel({ password: PASSWORD });
  t.after(() => sentinel.stop());
  const redis = redisSettings({ REDIS_SENTINELS: sentinel.sentinels.join(","), REDIS_PASSWORD: PASSWORD })!;
  await runSoak({
    mode: "sentinel", redis, ...SCALED,
    failover: { atMs: 15_000, run: async () => `SENTINEL FAILOVER -> primary :${await sentinel.failover()}` },
  });
});

/** The soak on a fresh cluster, failing over the primary that holds the Mayor's session. */
async function clusterSoak(mode: string, failOver: (cluster: RedisCluster, primary: number) => Promise<string>): Promise<void> {
  const cluster = await startRedisCluster({ password: PASSWORD });
  try {
    const redis = redisSettings({ REDIS_CLUSTER_NODES: cluster.seeds.join(","), REDIS_PASSWORD: PASSWORD })!;
    await runSoak({ mode, redis, ...SCALED, failover: { atMs: 15_000, run: async ([mayorSession]) => failOver(cluster, await cluster.primaryOf(mayorSession!)) } });
  } finally {
    await cluster.stop();
  }
}

test("Mayor soak on a Redis Cluster through CLUSTER FAILOVER of the primary holding the Mayor's session", { timeout: 180_000 }, () =>
  clusterSoak("cluster", async (cluster, primary) => `CLUSTER FAILOVER :${primary} -> :${await cluster.failover(primary)}`));

test("Mayor soak on a Redis Cluster through a killed primary (the one holding the Mayor's session)", { timeout: 180_000 }, () =>
  clusterSoak("cluster, primary killed", async (cluster, primary) => `SIGKILL :${primary} -> :${await cluster.killPrimary(primary)}`));
