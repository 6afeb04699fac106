import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { deleteKeys, freePort, randomPrefix, testRedisUrl, waitFor } from "@gastown/testkit";
import { loadPolicy, parseRevocationEvent, type RevocationEvent, revocationChannel, revokedReasonKey, revokedSetKey, revokedUntil } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { createRedisStore, type SessionStore } from "../src/store/index.js";
import { newSession, rotation, type StoreHarness, startOfSecond, storeContract } from "./store-contract.js";

async function connect(): Promise<Redis> {
  const redis = new Redis(await testRedisUrl(), { lazyConnect: true });
  await redis.connect();
  return redis;
}

/** A store on its own prefix, with a subscriber collecting what it publishes. */
async function openRedisStore(policy = loadPolicy({})): Promise<StoreHarness & { redis: Redis; prefix: string }> {
  const prefix = randomPrefix("store");
  const redis = await connect();
  const subscriber = await connect();
  const seen: RevocationEvent[] = [];
  subscriber.on("message", (_channel: string, message: string) => {
    const event = parseRevocationEvent(message);
    if (event) seen.push(event);
  });
  await subscriber.subscribe(revocationChannel(prefix));
  const store = createRedisStore({ redis, prefix, policy });
  return {
    store,
    policy,
    redis,
    prefix,
    events: (count) => waitFor(() => seen.length >= count && [...seen], 10_000, `${count} revocation events`),
    async close() {
      await store.close();
      await deleteKeys(redis, prefix);
      subscriber.disconnect();
      await redis.quit();
    },
  };
}

storeContract("redis store", (policy) => openRedisStore(policy));

async function sessionMemory(redis: Redis, store: SessionStore, prefix: string, sessionId: string): Promise<number> {
  const keys = Object.keys(await store.dump()).filter((key) => key.includes(sessionId));
  assert.deepEqual(keys, [`${prefix}session:{${sessionId}}`]);
  let total = 0;
  for (const key of keys) total += Number(await redis.memory("USAGE", key));
  return total;
}

test("redis store: memory per session stays the same over 100 rotations and stays small", async (t) => {
  const harness = await openRedisStore();
  t.after(() => harness.close());
  const { store, redis, prefix } = harness;
  const t0 = startOfSecond();
  const { session } = await store.create(newSession(t0, { rigId: "rig-1", role: "polecat", scope: "agent" }));
  const first = await store.rotate(rotation(session.sessionId, 0, t0 + 1000));
  assert.equal(first.outcome, "rotated");
  const before = await sessionMemory(redis, store, prefix, session.sessionId);
  for (let generation = 1; generation <= 100; generation += 1) {
    const result = await store.rotate(rotation(session.sessionId, generation, t0 + 1000 + generation * 1000));
    assert.equal(result.outcome, "rotated");
  }
  assert.equal((await store.get(session.sessionId, t0 + 102_000))?.generation, 101);
  assert.equal(await sessionMemory(redis, store, prefix, session.sessionId), before);
  assert.ok(before < 512, `session hash uses ${before} bytes`);
});

test("redis store: a session with its index entries stays under 1 KiB", async (t) => {
  const harness = await openRedisStore();
  t.after(() => harness.close());
  const { store, redis } = harness;
  const t0 = startOfSecond();
  const count = 200;
  for (let i = 0; i < count; i += 1) {
    // 50 agents dispatched 4 times each (renewals re-dispatch), 10 rigs, 20 users, one town.
    await store.create(newSession(t0 + i, { sessionId: randomBytes(16).toString("base64url"), agentId: `polecat-${i % 50}`, rigId: `rig-${i % 10}`, userId: `user-${i % 20}`, role: "polecat", scope: "agent" }));
  }
  const keys = Object.keys(await store.dump());
  let bytes = 0;
  for (const key of keys) bytes += Number(await redis.memory("USAGE", key, "SAMPLES", "0"));
  // MEMORY USAGE leaves out each key's entries in the keyspace and expires tables (32 bytes each).
  const perSession = (bytes + keys.length * 64) / count;
  assert.ok(perSession < 1024, `${perSession} bytes per session`);
});

test("redis store: a refresh is exactly one round trip (one EVALSHA) on the rotate and grace paths", async (t) => {
  const harness = await openRedisStore();
  t.after(() => harness.close());
  const { store, redis } = harness;
  const t0 = startOfSecond();
  const { session } = await store.create(newSession(t0));
  await store.rotate(rotation("s_warm_up", 0, t0)); // loads the script if Redis did not know it
  const sent: string[] = [];
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
    sent.push(command.name);
    return (original as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof redis.sendCommand;
  t.after(() => {
    redis.sendCommand = original;
  });
  assert.equal((await store.rotate(rotation(session.sessionId, 0, t0 + 1000))).outcome, "rotated");
  assert.equal((await store.rotate(rotation(session.sessionId, 0, t0 + 1001))).outcome, "grace_replay");
  assert.deepEqual(sent, ["evalsha", "evalsha"]);
});

test("redis store: a revocation is published as JSON on the channel and kept in the sorted set until `until`", async (t) => {
  const harness = await openRedisStore();
  t.after(() => harness.close());
  const { store, redis, prefix, policy } = harness;
  const raw: string[] = [];
  const listener = await connect();
  t.after(() => listener.disconnect());
  listener.on("message", (channel: string, message: string) => {
    if (channel === `${prefix}revocations`) raw.push(message);
  });
  await listener.subscribe(`${prefix}revocations`);
  const t0 = startOfSecond();
  const { session, accessExpiresAt } = await store.create(newSession(t0));
  assert.deepEqual(await store.revoke(session.sessionId, "admin", t0 + 1000), { known: true, revoked: true });
  const until = revokedUntil(accessExpiresAt, policy);
  const [message] = await waitFor(() => raw.length > 0 && raw, 10_000, "the revocation message");
  assert.deepEqual(JSON.parse(message!), { sid: session.sessionId, reason: "admin", until });
  assert.equal(revokedSetKey(prefix), `${prefix}revoked`);
  assert.equal(await redis.zscore(`${prefix}revoked`, session.sessionId), String(until));
  // The ended session's key lives until its last access token expired (plus tolerance).
  assert.equal(await redis.pexpiretime(`${prefix}session:{${session.sessionId}}`), until * 1000);
  // Its reason too, in its own small key with the session's hash tag (resync learns why).
  assert.equal(revokedReasonKey(prefix, session.sessionId), `${prefix}revoked:{${session.sessionId}}`);
  assert.equal(await redis.get(`${prefix}revoked:{${session.sessionId}}`), "admin");
  assert.equal(await redis.pexpiretime(`${prefix}revoked:{${session.sessionId}}`), until * 1000);
  const revokedKeys = Object.keys(await store.dump()).filter((key) => key.includes(session.sessionId));
  assert.deepEqual(revokedKeys.sort(), [`${prefix}revoked:{${session.sessionId}}`, `${prefix}session:{${session.sessionId}}`]);
  assert.ok(Number(await redis.memory("USAGE", `${prefix}revoked:{${session.sessionId}}`)) < 128, "the reason key stays small");
});

test("redis store: reuse detection and expiry keep their reasons for resync too", async (t) => {
  const harness = await openRedisStore(loadPolicy({}, { refreshIdleTtl: 5 }));
  t.after(() => harness.close());
  const { store, redis, prefix } = harness;
  const t0 = startOfSecond();
  const reused = await store.create(newSession(t0));
  assert.equal((await store.rotate(rotation(reused.session.sessionId, 0, t0 + 1000))).outcome, "rotated");
  assert.equal((await store.rotate(rotation(reused.session.sessionId, 1, t0 + 2000))).outcome, "rotated");
  assert.equal((await store.rotate(rotation(reused.session.sessionId, 0, t0 + 3000))).outcome, "reuse_detected");
  assert.equal(await redis.get(revokedReasonKey(prefix, reused.session.sessionId)), "reuse_detected");
  const idle = await store.create(newSession(t0));
  assert.equal((await store.rotate(rotation(idle.session.sessionId, 0, t0 + 6000))).outcome, "expired");
  assert.equal(await redis.get(revokedReasonKey(prefix, idle.session.sessionId)), "expired");
  // A live session has no such key.
  const live = await store.create(newSession(t0));
  assert.equal(await redis.exists(revokedReasonKey(prefix, live.session.sessionId)), 0);
});

test("redis store: keys carry the session's hash tag, expire, and hold no token material", async (t) => {
  const harness = await openRedisStore();
  t.after(() => harness.close());
  const { store, redis, prefix, policy } = harness;
  const t0 = startOfSecond();
  const { session } = await store.create(newSession(t0, { rigId: "rig-9" }));
  const dump = await store.dump();
  assert.deepEqual(Object.keys(dump).sort(), [
    `${prefix}session:{${session.sessionId}}`,
    `${prefix}sessions:{agent:mayor-1}`,
    `${prefix}sessions:by-created`,
    `${prefix}sessions:live`,
    `${prefix}sessions:{rig:rig-9}`,
    `${prefix}sessions:{town:town-1}`,
    `${prefix}sessions:{user:user-1}`,
  ].sort());
  for (const key of Object.keys(dump)) assert.ok((await redis.pttl(key)) > 0, `${key} expires`);
  const hash = JSON.parse(dump[`${prefix}session:{${session.sessionId}}`]!) as Record<string, string>;
  assert.deepEqual(hash, {
    a: "mayor-1", ae: String(t0 / 1000 + policy.accessTokenTtl), c: "gastown-container", cr: String(t0), e: String(t0 / 1000 + policy.sessionMaxTtl),
    g: "0", i: String(t0 / 1000 + policy.refreshIdleTtl), lr: "", r: "rig-9", re: "", rm: "0", ro: "mayor", s: "active", sc: "agent mayor", t: "town-1", u: "user-1",
  });
  assert.equal(await redis.pexpiretime(`${prefix}session:{${session.sessionId}}`), (t0 / 1000 + policy.refreshIdleTtl) * 1000);
});

test("redis store: stale index members are dropped on read", async (t) => {
  const harness = await openRedisStore();
  t.after(() => harness.close());
  const { store, redis, prefix } = harness;
  const t0 = startOfSecond();
  const kept = await store.create(newSession(t0));
  const lost = await store.create(newSession(t0 + 1));
  await redis.del(`${prefix}session:{${lost.session.sessionId}}`); // as if Redis lost it
  assert.deepEqual((await store.list({}, 10, null, t0 + 2)).sessions.map((s) => s.sessionId), [kept.session.sessionId]);
  assert.deepEqual((await store.list({ agentId: "mayor-1" }, 10, null, t0 + 2)).sessions.map((s) => s.sessionId), [kept.session.sessionId]);
  assert.deepEqual(await redis.zrange(`${prefix}sessions:by-created`, "0", "-1"), [kept.session.sessionId]);
  assert.deepEqual(await redis.smembers(`${prefix}sessions:{agent:mayor-1}`), [kept.session.sessionId]);
  assert.deepEqual(await store.rotate(rotation(lost.session.sessionId, 0, t0 + 3)), { outcome: "invalid", reason: "unknown_session" });
});

test("redis store: ping answers false, without throwing, when Redis is down", async (t) => {
  const down = new Redis({ host: "127.0.0.1", port: await freePort(), lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  down.on("error", () => {});
  t.after(() => down.disconnect());
  const store = createRedisStore({ redis: down, prefix: randomPrefix("down"), policy: loadPolicy({}) });
  assert.equal(await store.ping(), false);
  const harness = await openRedisStore();
  t.after(() => harness.close());
  assert.equal(await harness.store.ping(), true);
});
