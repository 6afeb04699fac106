import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { redisSettings } from "@gastown/service-kit";
import { parseExposition, type RedisProcess, replicasInSync, scrape, startRedisCluster, startRedisSentinel, waitFor } from "@gastown/testkit";
import { CONTAINER, type Harness, startHarness } from "./harness.js";

// AUTH_REDIS_WAIT_REPLICAS (store/redis/replica-wait.ts): a dispatch or rotation is answered
// only once a replica holds it; when none does in time the client gets the store-outage
// answer (503 temporarily_unavailable), retries with the same refresh token and gets the grace replay
// of the same successor (DESIGN.md invariant 2), never a fork.
const [sentinel, cluster] = await Promise.all([startRedisSentinel(), startRedisCluster()]);
after(() => Promise.all([sentinel.stop(), cluster.stop()]));

const WAIT_ENV = { AUTH_REDIS_WAIT_REPLICAS: "1", AUTH_REDIS_WAIT_TIMEOUT_MS: "300" };

async function waits(harness: Harness): Promise<{ acknowledged: number; short: number }> {
  const samples = parseExposition((await scrape(harness.url)).text).filter((sample) => sample.name === "gastown_auth_replication_wait_total");
  const count = (outcome: string) => samples.find((sample) => sample.labels.outcome === outcome)?.value ?? 0;
  return { acknowledged: count("acknowledged"), short: count("short") };
}

/** SIGSTOPs a replica for the length of `work` (the primary keeps serving; the replica acknowledges nothing), then SIGCONTs it. */
async function whilePaused<T>(replica: RedisProcess, work: () => Promise<T>): Promise<T> {
  const pid = replica.process.pid!;
  process.kill(pid, "SIGSTOP");
  try {
    return await work();
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

/** A refresh whose replica was paused answers 503 temporarily_unavailable; once it is back, the same token gets the same successor, twice, and the family goes on. */
async function assertRetryGetsTheSameSuccessor(harness: Harness, refreshToken: string, sessionId: string, replica: RedisProcess, primaryPort: number): Promise<string> {
  const generation = async () => (await harness.admin("get", `/admin/sessions/${sessionId}`).expect(200)).body.generation as number;
  const start = await generation();
  const before = await waits(harness);
  const refused = await whilePaused(replica, () => harness.refresh(refreshToken));
  // As when the store is unavailable (service-kit errorAnswer): 503, retry soon.
  assert.equal(refused.status, 503);
  assert.equal(refused.headers["retry-after"], "1");
  assert.deepEqual(refused.body, { error: "temporarily_unavailable" });
  assert.equal((await waits(harness)).short, before.short + 1);

  await waitFor(() => replicasInSync(primaryPort), 10_000, "the replica to catch up");
  const retry = await harness.refresh(refreshToken).expect(200);
  const again = await harness.refresh(refreshToken).expect(200);
  assert.equal(retry.body.refresh_token, again.body.refresh_token, "every retry gets the same successor");
  assert.notEqual(retry.body.refresh_token, refreshToken);
  assert.equal(await generation(), start + 1, "one rotation: the retries replayed it, never forked");
  // The successor is the current token: it rotates (a forked or stale one would be reuse_detected).
  const next = await harness.refresh(retry.body.refresh_token).expect(200);
  assert.notEqual(next.body.refresh_token, retry.body.refresh_token);
  assert.equal(await generation(), start + 2);
  return retry.body.refresh_token;
}

describe("AUTH_REDIS_WAIT_REPLICAS on a Sentinel-managed primary with a replica", () => {
  const settings = redisSettings({ REDIS_SENTINELS: sentinel.sentinels.join(",") })!;
  // A replica is "slave" before its first full sync ends (diskless, after a 5 s delay); WAIT counts it only then.
  before(async () => waitFor(async () => replicasInSync(await sentinel.primaryPort()), 30_000, "the replica's first sync"));

  it("with the replica attached, a dispatch and a refresh succeed and each counts acknowledged", async () => {
    const harness = await startHarness("redis", { redis: settings, env: WAIT_ENV });
    try {
      const dispatched = await harness.dispatch();
      await harness.refresh(dispatched.refresh_token).expect(200);
      assert.deepEqual(await waits(harness), { acknowledged: 2, short: 0 });
    } finally {
      await harness.close();
    }
  });

  it("with the replica paused, a refresh answers 503 temporarily_unavailable and is logged without a token; the retry after it is back gets the grace replay of the same successor", async () => {
    const lines: string[] = [];
    const logDestination = new Writable({ write: (chunk: Buffer, _encoding, done) => done(void lines.push(chunk.toString("utf8"))) });
    const harness = await startHarness("redis", { redis: settings, env: WAIT_ENV, logLevel: "warn", logDestination });
    try {
      const primaryPort = await sentinel.primaryPort();
      const replica = sentinel.dataNodes.find((node) => node.port !== primaryPort)!;
      const dispatched = await harness.dispatch();
      const successor = await assertRetryGetsTheSameSuccessor(harness, dispatched.refresh_token, dispatched.session_id, replica, primaryPort);
      const short = lines.filter((line) => line.includes("ERR_STORE_REPLICATION_SHORT"));
      assert.equal(short.length, 1, "the short WAIT is logged once");
      assert.match(short[0]!, new RegExp(`rotation of session ${dispatched.session_id}: 0 of 1 replica`));
      for (const token of [dispatched.refresh_token, successor, dispatched.access_token]) assert.ok(!lines.some((line) => line.includes(token)), "no token in the log");
    } finally {
      await harness.close();
    }
  });

  it("with the replica paused, a revocation answers 503 (RFC 7009 §2.2.1: retry); the retry after it is back answers 200 and the session stays revoked", async () => {
    const harness = await startHarness("redis", { redis: settings, env: WAIT_ENV });
    try {
      const primaryPort = await sentinel.primaryPort();
      const replica = sentinel.dataNodes.find((node) => node.port !== primaryPort)!;
      const dispatched = await harness.dispatch();
      const revoke = () => harness.form("/oauth2/revoke", { token: dispatched.refresh_token, client_id: CONTAINER });
      const refused = await whilePaused(replica, () => revoke());
      assert.equal(refused.status, 503);
      assert.deepEqual(refused.body, { error: "temporarily_unavailable" });
      assert.equal((await waits(harness)).short, 1);
      await waitFor(() => replicasInSync(primaryPort), 10_000, "the replica to catch up");
      await revoke().expect(200);
      const session = (await harness.admin("get", `/admin/sessions/${dispatched.session_id}`).expect(200)).body;
      assert.deepEqual([session.state, session.revoke_reason], ["revoked", "client"]);
      assert.equal((await harness.refresh(dispatched.refresh_token).expect(400)).body.error, "invalid_grant");
      assert.deepEqual(await waits(harness), { acknowledged: 2, short: 1 }, "the dispatch and the repeated revocation");
    } finally {
      await harness.close();
    }
  });

  it("WAIT 0 (the default) waits for nothing: a paused replica changes nothing and nothing is counted", async () => {
    const harness = await startHarness("redis", { redis: settings });
    try {
      const primaryPort = await sentinel.primaryPort();
      const replica = sentinel.dataNodes.find((node) => node.port !== primaryPort)!;
      const dispatched = await harness.dispatch();
      await whilePaused(replica, () => harness.refresh(dispatched.refresh_token).expect(200));
      assert.deepEqual(await waits(harness), { acknowledged: 0, short: 0 });
    } finally {
      await harness.close();
    }
  });
});

describe("AUTH_REDIS_WAIT_REPLICAS on a Redis Cluster", () => {
  const settings = redisSettings({ REDIS_CLUSTER_NODES: cluster.seeds.join(",") })!;
  before(async () => {
    const primaries = await Promise.all(cluster.nodes.map(async (node) => ((await cluster.replicaOf(node.port).catch(() => undefined)) === undefined ? undefined : node.port)));
    for (const port of primaries) if (port !== undefined) await waitFor(() => replicasInSync(port), 30_000, `the replica of ${port} to sync`);
  });

  it("the WAIT reaches the primary holding each session's slot: sessions on every primary refresh; pausing one primary's replica refuses only its sessions", async () => {
    const harness = await startHarness("redis", { redis: settings, env: WAIT_ENV });
    try {
      // Sessions until every primary holds at least one (a session's keys share the tag {<sid>}).
      const byPrimary = new Map<number, { token: string; sid: string }>();
      for (let i = 0; i < 60 && byPrimary.size < 3; i++) {
        const dispatched = await harness.dispatch({ agent_id: `polecat-${i}` });
        const primary = await cluster.primaryOf(`{${dispatched.session_id}}`);
        if (!byPrimary.has(primary)) byPrimary.set(primary, { token: dispatched.refresh_token, sid: dispatched.session_id });
      }
      assert.equal(byPrimary.size, 3, "sessions on all three primaries");
      for (const session of byPrimary.values()) session.token = (await harness.refresh(session.token).expect(200)).body.refresh_token;
      assert.equal((await waits(harness)).short, 0);

      // Only a WAIT that reaches the session's own primary can see the write pending there:
      // sent anywhere else it would find nothing of this connection unacknowledged and answer
      // at once. So with one primary's replica paused, only that primary's session is refused.
      const [paused, ...others] = [...byPrimary.keys()];
      const replicaPort = await cluster.replicaOf(paused!);
      const replica = cluster.nodes.find((node) => node.port === replicaPort)!;
      await whilePaused(replica, async () => {
        for (const other of others) {
          const session = byPrimary.get(other)!;
          session.token = (await harness.refresh(session.token).expect(200)).body.refresh_token;
        }
      });
      const { token, sid } = byPrimary.get(paused!)!;
      await assertRetryGetsTheSameSuccessor(harness, token, sid, replica, paused!);
    } finally {
      await harness.close();
    }
  });
});
