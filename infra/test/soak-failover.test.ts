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

// Opt-in (GASTOWN_SOAK_REPLICA_WAIT=1; about 2 minutes more, so not in CI's run): what a
// killed primary costs with and without AUTH_REDIS_WAIT_REPLICAS=1 (README "Production"),
// the figures printed side by side. Two replicas: the promoted one then still has a replica
// to acknowledge it (with one, every rotation would wait in vain until the killed node came
// back as a replica). A rotation the replicas did not acknowledge is answered 503 and must be
// retried inside the grace window, but the supervisor's backoff is not scaled (1 s, then up
// to 2 s, 4 s, ...), so these soaks scale the grace with it (10 s; 30 s in production).
// Not here: SENTINEL FAILOVER with WAIT 1 (one replica). The demoted primary keeps its role
// for ~10 s (Sentinel reconfigures it only then) and the new one has no replica meanwhile,
// so rotations answer 503 for ~11 s (bench/RESULTS.md), longer than these 6 s tokens live:
// the agents got 401s. With 1 h tokens it costs a delay; losses are measured by
// bench/src/run-failover-loss.ts, where the refresh rate makes them visible.
const WAIT_SOAKS = process.env.GASTOWN_SOAK_REPLICA_WAIT === "1" ? false : "opt-in: GASTOWN_SOAK_REPLICA_WAIT=1 measures a killed primary's cost with AUTH_REDIS_WAIT_REPLICAS=1 against 0";
const WAIT_GRACE = 10;

for (const replicas of ["0", "1"]) {
  test(`Mayor soak on Sentinel (two replicas) through a killed primary with AUTH_REDIS_WAIT_REPLICAS=${replicas}`, { timeout: 180_000, skip: WAIT_SOAKS }, async (t) => {
    const sentinel = await startRedisSentinel({ password: PASSWORD, replicas: 2 });
    t.after(() => sentinel.stop());
    const redis = redisSettings({ REDIS_SENTINELS: sentinel.sentinels.join(","), REDIS_PASSWORD: PASSWORD })!;
    await runSoak({
      mode: `sentinel, primary killed, WAIT ${replicas}`, redis, ...SCALED, refreshGrace: WAIT_GRACE, authEnv: { AUTH_REDIS_WAIT_REPLICAS: replicas },
      failover: { atMs: 15_000, run: async () => `SIGKILL primary -> primary :${await sentinel.killPrimary()}` },
    });
  });
}
