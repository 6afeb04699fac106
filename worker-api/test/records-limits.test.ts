import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { deleteKeys, randomPrefix, scrape, testRedisUrl } from "@gastown/testkit";
import { InProcessRevocationBus } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { type AgentRecord, loadWorkerSettings, type RunningWorkerApi, startWorkerApi, WorkerConfigError } from "../src/index.js";
import { DEFAULT_RECORD_LIMITS, type RecordLimits } from "../src/records/limits.js";
import { MemoryRecordStore } from "../src/records/memory.js";
import { RedisRecordStore } from "../src/records/redis.js";
import type { RecordStore } from "../src/records/types.js";
import { bearer, post } from "./helpers/http.js";
import { MAYOR, mint, POLECAT, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";
import { NO_CONTAINER } from "./helpers/worker.js";

// Issue 14: per-agent token bucket and quota (records and bytes per window) with 429 +
// Retry-After past them, a size cap per record (413), exact stream/list caps and expiring
// keys, so records can never fill the Redis that holds the sessions.
const T0 = 1_800_000_000_000;
const LIMITS: RecordLimits = { maxRecordBytes: 2_000, maxPerAgent: 4, retentionMs: 60_000, ratePerSecond: 2, burst: 3, quotaWindowMs: 10_000, quotaRecords: 5, quotaBytes: 100_000 };
const rec = (kind: AgentRecord["kind"], at: number, body: Record<string, unknown> = {}, agent = "a-1"): AgentRecord => ({ kind, at, agent_id: agent, town_id: "t-1", rig_id: "r-1", session_id: "s-1", body });

function limitsContract(name: string, make: (limits: RecordLimits) => RecordStore) {
  describe(`${name}: admission`, () => {
    test("the bucket: a burst, then one per 1/rate, Retry-After the time to the next token; refusals store nothing", async () => {
      const store = make(LIMITS);
      for (let i = 0; i < 3; i += 1) assert.deepEqual(await store.append(rec("event", T0, { i })), { stored: true });
      assert.deepEqual(await store.append(rec("event", T0, { i: 3 })), { stored: false, refusal: "rate", retryAfterMs: 500 });
      assert.deepEqual(await store.append(rec("heartbeat", T0 + 100)), { stored: false, refusal: "rate", retryAfterMs: 400 }, "heartbeats take tokens too");
      const read = await store.read("t-1", "a-1");
      assert.equal(read.events.length, 3);
      assert.equal(read.counts.event, 3);
      assert.equal(read.last_heartbeat, null);
      assert.deepEqual(await store.append(rec("event", T0 + 500, { i: 4 })), { stored: true });
      assert.equal((await store.read("t-1", "a-2")).events.length, 0, "other agents have their own bucket");
      assert.deepEqual(await store.append(rec("event", T0, {}, "a-2")), { stored: true });
    });

    test("the quota: records per window, then 429 until the window ends; heartbeats do not count", async () => {
      const store = make(LIMITS);
      let at = T0;
      for (let i = 0; i < 5; i += 1) {
        at += 1_000; // stays within the bucket
        assert.deepEqual(await store.append(rec(i % 2 ? "tool" : "completed", at, { i })), { stored: true }, `record ${i}`);
      }
      assert.deepEqual(await store.append(rec("heartbeat", at + 1_000)), { stored: true });
      assert.deepEqual(await store.append(rec("done", at + 2_000)), { stored: false, refusal: "quota", retryAfterMs: T0 + 1_000 + 10_000 - (at + 2_000) });
      assert.equal((await store.read("t-1", "a-1")).counts.done, 0);
      assert.deepEqual(await store.append(rec("done", T0 + 11_000)), { stored: true }, "a new window");
    });

    test("the quota: bytes per window", async () => {
      const store = make({ ...LIMITS, quotaRecords: 100, quotaBytes: 1_200 }); // each record is ~520 bytes of JSON
      const big = { text: "x".repeat(400) };
      assert.deepEqual(await store.append(rec("event", T0, big)), { stored: true });
      assert.deepEqual(await store.append(rec("event", T0 + 1, big)), { stored: true });
      const third = await store.append(rec("event", T0 + 2, big));
      assert.equal(third.stored, false);
      assert.equal(!third.stored && third.refusal, "quota");
      assert.equal((await store.read("t-1", "a-1")).events.length, 2);
    });

    test("streams and lists hold at most maxPerAgent entries", async () => {
      const store = make({ ...LIMITS, ratePerSecond: 1_000, burst: 1_000, quotaRecords: 1_000 });
      for (let i = 0; i < 10; i += 1) {
        await store.append(rec("event", T0 + i, { i }));
        await store.append(rec("merge", T0 + i, { i }));
      }
      const read = await store.read("t-1", "a-1");
      assert.deepEqual(read.events.map((r) => r.body.i), [6, 7, 8, 9]);
      assert.deepEqual(read.records.map((r) => r.body.i), [6, 7, 8, 9]);
      assert.equal(read.counts.event, 10);
    });
  });
}

let redis: Redis;
const prefix = randomPrefix("wlim");
let n = 0;
before(async () => {
  redis = new Redis(await testRedisUrl());
});
after(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

limitsContract("memory store", (limits) => new MemoryRecordStore(limits.maxPerAgent, limits));
limitsContract("redis store", (limits) => new RedisRecordStore(redis, `${prefix}${n++}:`, limits.maxPerAgent, limits));

describe("redis store: bounded keys", () => {
  test("every key of an agent shares one hash slot and expires after the retention", async () => {
    const own = `${prefix}ttl:`;
    const store = new RedisRecordStore(redis, own, 4, LIMITS);
    for (const kind of ["heartbeat", "event", "completed"] as const) await store.append(rec(kind, Date.now()));
    const keys = await redis.keys(`${own}*`);
    assert.equal(keys.length, 4);
    const tags = new Set(keys.map((key) => /\{[^}]+\}/.exec(key)?.[0]));
    assert.deepEqual([...tags], ["{rec:t-1/a-1}"]);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 0 && ttl <= 60_000, `${key}: ${ttl}`);
    }
    assert.equal(await redis.xlen(`${own}worker:{rec:t-1/a-1}:events`), 1);
  });
});

describe("settings", () => {
  test("WORKER_ record settings, defaults and bad values", () => {
    // NODE_ENV=development: the other settings may take their development defaults here.
    assert.deepEqual(loadWorkerSettings({ NODE_ENV: "development" }).recordLimits, DEFAULT_RECORD_LIMITS);
    const env = { NODE_ENV: "development", WORKER_RECORD_MAX_BYTES: "1000", WORKER_RECORDS_PER_AGENT: "50", WORKER_RECORD_RETENTION: "60", WORKER_AGENT_RATE: "5", WORKER_AGENT_BURST: "10", WORKER_AGENT_QUOTA_RECORDS: "100", WORKER_AGENT_QUOTA_BYTES: "10000" };
    assert.deepEqual(loadWorkerSettings(env).recordLimits, { maxRecordBytes: 1000, maxPerAgent: 50, retentionMs: 60_000, ratePerSecond: 5, burst: 10, quotaWindowMs: 3_600_000, quotaRecords: 100, quotaBytes: 10_000 });
    for (const name of Object.keys(env).filter((n) => n !== "NODE_ENV")) assert.throws(() => loadWorkerSettings({ NODE_ENV: "development", [name]: "0" }), WorkerConfigError, name);
    assert.throws(() => loadWorkerSettings({ NODE_ENV: "development", WORKER_AGENT_QUOTA_BYTES: "10", WORKER_RECORD_MAX_BYTES: "100" }), WorkerConfigError);
  });
});

describe("over HTTP: 429 with Retry-After, 413 for a record too large", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  before(async () => {
    issuer = await startTestIssuer();
    const recordLimits = { ...LIMITS, ratePerSecond: 1, burst: 2, quotaWindowMs: 3_600_000 };
    worker = await startWorkerApi({ ...NO_CONTAINER, authUrl: issuer.url, redisUrl: null, revocationBus: new InProcessRevocationBus(), recordLimits });
  });
  after(async () => {
    await worker.close();
    await issuer.close();
  });

  test("the third event in a second is 429 rate_limited with Retry-After; a record over the cap is 413; counted", async () => {
    const token = await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: POLECAT });
    const events = `${worker.url}/api/towns/town-1/rigs/rig-1/agents/polecat-1/events`;
    const before = await scrape(worker.url);
    const tooBig = await post(events, { text: "x".repeat(3_000) }, bearer(token));
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.body.error, "invalid_request");
    assert.equal((await post(events, { i: 1 }, bearer(token))).status, 202);
    assert.equal((await post(events, { i: 2 }, bearer(token))).status, 202);
    const limited = await post(events, { i: 3 }, bearer(token));
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, "rate_limited");
    assert.equal(limited.retryAfter, "1");
    const stored = await worker.records.read("town-1", "polecat-1");
    assert.deepEqual(stored.events.map((r) => r.body.i), [1, 2]);
    // Another agent is not held back by this one.
    const mayor = await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: MAYOR });
    assert.equal((await post(`${worker.url}/api/mayor/town-1/tools/list_rigs`, {}, bearer(mayor))).status, 202);
    const after = await scrape(worker.url);
    const refused = (reason: string) => after.value("gastown_worker_records_refused_total", { reason }) - before.value("gastown_worker_records_refused_total", { reason });
    assert.deepEqual([refused("size"), refused("rate"), refused("quota")], [1, 1, 0]);
  });
});
