import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { deleteKeys, randomPrefix, testRedisUrl } from "@gastown/testkit";
import { Redis } from "ioredis";
import { type AgentRecord, type RunningWorkerApi, startWorkerApi } from "../src/index.js";
import { MemoryRecordStore } from "../src/records/memory.js";
import { RedisRecordStore } from "../src/records/redis.js";
import type { RecordStore } from "../src/records/types.js";
import { bearer, get, post } from "./helpers/http.js";
import { MAYOR, mint, POLECAT, REFINERY, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";

const record = (kind: AgentRecord["kind"], n: number, agent = "a-1"): AgentRecord => ({
  kind,
  at: 1_700_000_000_000 + n,
  agent_id: agent,
  town_id: "t-1",
  rig_id: "r-1",
  session_id: "s-1",
  body: { n },
});

async function exercise(store: RecordStore): Promise<void> {
  await store.append(record("heartbeat", 1));
  await store.append(record("heartbeat", 2));
  await store.append(record("event", 3));
  await store.append(record("event", 4));
  await store.append(record("completed", 5));
  await store.append({ ...record("tool", 6), tool: "list_rigs" });
  await store.append(record("event", 7, "a-2"));
  const read = await store.read("t-1", "a-1");
  assert.equal(read.last_heartbeat, 1_700_000_000_002);
  assert.deepEqual(read.counts, { heartbeat: 2, event: 2, done: 0, completed: 1, sling: 0, merge: 0, tool: 1 });
  assert.deepEqual(read.events, [record("event", 3), record("event", 4)]);
  assert.deepEqual(read.records, [record("completed", 5), { ...record("tool", 6), tool: "list_rigs" }]);
  const other = await store.read("t-1", "a-2");
  assert.equal(other.events.length, 1);
  assert.equal(other.last_heartbeat, null);
}

describe("record stores", () => {
  let redis: Redis;
  const prefix = randomPrefix("wrec");

  before(async () => {
    redis = new Redis(await testRedisUrl());
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  test("memory store keeps what arrived, per agent", async () => {
    await exercise(new MemoryRecordStore(100));
  });

  test("redis store keeps what arrived, per agent, under the prefix only", async () => {
    await exercise(new RedisRecordStore(redis, prefix, 100));
    const keys = await redis.keys(`${prefix}*`);
    assert.ok(keys.length >= 4);
    assert.ok(keys.every((k) => k.startsWith(`${prefix}worker:`)));
  });

  test("both stores trim to the newest records", async () => {
    for (const store of [new MemoryRecordStore(3), new RedisRecordStore(redis, `${prefix}trim:`, 3)]) {
      for (let n = 0; n < 6; n += 1) await store.append(record("done", n));
      const read = await store.read("t-1", "a-1");
      assert.deepEqual(read.records.map((r) => r.body.n), [3, 4, 5]);
      assert.equal(read.counts.done, 6);
    }
  });
});

describe("operator read API over Redis", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  let redis: Redis;
  const prefix = randomPrefix("wop");

  before(async () => {
    const redisUrl = await testRedisUrl();
    redis = new Redis(redisUrl);
    issuer = await startTestIssuer();
    worker = await startWorkerApi({
      authUrl: issuer.url,
      redisUrl,
      prefix,
      containerUrl: "http://127.0.0.1:9",
      containerControlToken: "unused",
      clientId: "worker",
      clientSecret: "unused",
      operatorToken: "operator-secret-for-tests",
      logLevel: "silent",
    });
  });
  after(async () => {
    await worker.close();
    await issuer.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  test("every kind of callback can be read back exactly", async () => {
    const polecat = bearer(await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: POLECAT }));
    const mayor = bearer(await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: MAYOR }));
    const refinery = bearer(await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: REFINERY }));
    const rig = `${worker.url}/api/towns/town-1/rigs/rig-1`;
    assert.equal((await post(`${rig}/agents/polecat-1/heartbeat`, {}, polecat)).status, 202);
    assert.equal((await post(`${rig}/agents/polecat-1/events`, { type: "tick", tick: 1 }, polecat)).status, 202);
    assert.equal((await post(`${rig}/agents/polecat-1/done`, { branch: "b" }, polecat)).status, 202);
    assert.equal((await post(`${rig}/sling`, { bead: "gt-1" }, polecat)).status, 202);
    assert.equal((await post(`${rig}/review-queue/entry-7/complete`, { status: "merged" }, refinery)).status, 202);
    assert.equal((await post(`${worker.url}/api/mayor/town-1/tools/list_rigs`, { q: 1 }, mayor)).status, 202);
    assert.equal((await post(`${worker.url}/api/towns/town-1/agents/mayor/completed`, { ok: true }, mayor)).status, 202);

    const op = bearer("operator-secret-for-tests");
    const polecatRecords = (await get(`${worker.url}/operator/towns/town-1/agents/polecat-1/records`, op)).body;
    assert.deepEqual((polecatRecords.events as AgentRecord[]).map((e) => e.body), [{ type: "tick", tick: 1 }]);
    assert.deepEqual((polecatRecords.records as AgentRecord[]).map((r) => [r.kind, r.body]), [["done", { branch: "b" }], ["sling", { bead: "gt-1" }]]);
    const merge = (await get(`${worker.url}/operator/towns/town-1/agents/refinery-1/records`, op)).body.records as AgentRecord[];
    assert.deepEqual(merge.map((r) => [r.kind, r.entry_id, r.rig_id, r.body]), [["merge", "entry-7", "rig-1", { status: "merged" }]]);
    const mayorRecords = (await get(`${worker.url}/operator/towns/town-1/agents/mayor/records`, op)).body.records as AgentRecord[];
    assert.deepEqual(mayorRecords.map((r) => [r.kind, r.tool, r.rig_id, r.body]), [["tool", "list_rigs", undefined, { q: 1 }], ["completed", undefined, undefined, { ok: true }]]);

    const summary = (await get(`${worker.url}/operator/towns/town-1/agents/polecat-1`, op)).body;
    assert.equal(summary.state, "unknown");
    assert.equal(typeof summary.last_heartbeat, "number");
    assert.deepEqual(summary.counts, { heartbeat: 1, event: 1, done: 1, completed: 0, sling: 1, merge: 0, tool: 0 });
    assert.ok((await redis.keys(`${prefix}worker:*`)).length > 0, "records live in Redis");
  });

  test("the operator API needs the operator token", async () => {
    const url = `${worker.url}/operator/towns/town-1/agents/polecat-1/records`;
    const missing = await get(url);
    assert.equal(missing.status, 401);
    assert.equal(missing.challenge, "Bearer");
    const wrong = await get(url, bearer("operator-secret-for-tesTs"));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.challenge, 'Bearer error="invalid_token"');
    const agentToken = await get(url, bearer(await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: POLECAT })));
    assert.equal(agentToken.status, 401);
    const start = await post(`${worker.url}/operator/towns/town-1/agents`, { agent_id: "x", user_id: "u", role: "polecat" });
    assert.equal(start.status, 401);
  });

  test("an unknown agent reads 404", async () => {
    const answer = await get(`${worker.url}/operator/towns/town-1/agents/nobody`, bearer("operator-secret-for-tests"));
    assert.equal(answer.status, 404);
  });
});
