import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { DEVELOPMENT, deleteKeys, randomPrefix, testRedisUrl, waitFor } from "@gastown/testkit";
import { loadPolicy, type PolicyOverrides } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { type RunningWorkerApi, startWorkerApi, supersededRevokeAtMs, type TokenPair } from "../src/index.js";
import { AgentStateKeys } from "../src/state/keys.js";
import { adminRevoke, adminSession, dispatchPair, refresh } from "./helpers/auth.js";
import { type FakeContainer, startFakeContainer } from "./helpers/fake-container.js";
import { bearer, get, post } from "./helpers/http.js";

/**
 * DESIGN.md "worker-api state: restarts and replicas", with real Redis, a real
 * auth-service and several worker-api instances in this process around one fake container.
 */
interface Stack {
  auth: RunningAuthService;
  fake: FakeContainer;
  workers: RunningWorkerApi[];
  redis: Redis;
  prefix: string;
  clock: { offsetMs: number };
  start(): Promise<RunningWorkerApi>;
}

let stack: Stack | undefined;

async function startStack(policy: PolicyOverrides, instances: number, extra: Partial<Parameters<typeof startWorkerApi>[0]> = {}): Promise<Stack> {
  const redisUrl = await testRedisUrl();
  const prefix = randomPrefix("wstate");
  const auth = await startAuthService({ env: DEVELOPMENT, redisUrl, prefix, policyOverrides: policy, port: 0, logLevel: "silent" });
  const fake = await startFakeContainer();
  const client = auth.dispatcherClients[0]!;
  const clock = { offsetMs: 0 };
  const s: Stack = {
    auth,
    fake,
    workers: [],
    redis: new Redis(redisUrl),
    prefix,
    clock,
    async start() {
      const worker = await startWorkerApi({
        env: {},
        authUrl: auth.url,
        policyOverrides: { ...policy, issuer: auth.policy.issuer },
        redisUrl,
        prefix,
        containerUrl: fake.url,
        containerControlToken: fake.token,
        clientId: client.id,
        clientSecret: client.secret,
        operatorToken: "operator-token-for-shared-state-tests",
        reconcileIntervalMs: 60_000,
        claimLeaseMs: 1_000,
        claimPollMs: 100,
        clock: () => Date.now() + clock.offsetMs,
        logLevel: "silent",
        ...extra,
      });
      s.workers.push(worker);
      return worker;
    },
  };
  stack = s;
  for (let i = 0; i < instances; i += 1) await s.start();
  return s;
}

afterEach(async () => {
  if (!stack) return;
  const s = stack;
  stack = undefined;
  for (const worker of s.workers) await worker.close();
  await s.fake.close();
  await s.auth.close();
  await deleteKeys(s.redis, s.prefix);
  s.redis.disconnect();
});

const POLECAT = { agent_id: "polecat-1", rig_id: "rig-1", user_id: "user-1", role: "polecat" };
const MAYOR = { agent_id: "mayor", user_id: "user-1", role: "mayor" };
const TOKEN = bearer("operator-token-for-shared-state-tests");
const agentUrl = (w: RunningWorkerApi, agentId: string) => `${w.url}/operator/towns/town-1/agents/${agentId}`;
const view = async (w: RunningWorkerApi, agentId: string) => (await get(agentUrl(w, agentId), TOKEN)).body;
const startedPair = (s: Stack, agentId: string) => s.fake.calls.find((c) => c.path === "/agents/start" && c.body?.agent_id === agentId)!.body!.tokens as TokenPair;

describe("shared agent state", () => {
  test("every instance serves the operator API for an agent another instance dispatched", async () => {
    const s = await startStack({}, 3);
    const [a, b, c] = s.workers as [RunningWorkerApi, RunningWorkerApi, RunningWorkerApi];
    const started = await post(`${a.url}/operator/towns/town-1/agents`, MAYOR, TOKEN);
    assert.equal(started.status, 201);
    for (const w of [a, b, c]) {
      const known = await view(w, "mayor");
      assert.deepEqual([known.state, known.session_id], ["running", started.body.session_id]);
    }
    assert.equal((await post(`${b.url}/operator/towns/town-1/agents`, MAYOR, TOKEN)).status, 409, "no second dispatch from another instance");
    const message = await post(`${c.url}/operator/towns/town-1/agents/mayor/messages`, { prompt: "hello" }, TOKEN);
    assert.deepEqual([message.status, message.body.renewed, message.body.started], [202, false, false]);
    const stopped = await fetch(agentUrl(b, "mayor"), { method: "DELETE", headers: { authorization: TOKEN } });
    assert.equal(stopped.status, 200);
    assert.equal((await view(a, "mayor")).state, "stopped");
    assert.equal((await adminSession(s.auth, String(started.body.session_id))).revoke_reason, "client", "stopped by session id");
    assert.equal(s.fake.count("POST", "/agents/start"), 1);
    // Concurrent dispatches of one agent through every instance: exactly one wins.
    const answers = await Promise.all([a, b, c, a, b, c].map((w) => post(`${w.url}/operator/towns/town-1/agents`, POLECAT, TOKEN)));
    assert.deepEqual(answers.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409]);
    assert.equal((await s.auth.store.list({ agentId: "polecat-1" }, 100, null, Date.now())).sessions.length, 1, "one session dispatched");
  });

  test("a session end is met by exactly one renewal, whatever the number of instances; superseded before its own end", async () => {
    // Margin = max(0.2 x min(10, 6) s, 1 s) = 1.2 s before the 6 s end; the old session is
    // revoked within half of what is left (the default 5 s cap would be after its end).
    const s = await startStack({ accessTokenTtl: 10, sessionMaxTtl: 6 }, 3, { supersededRevokeDelayMs: 5_000 });
    await post(`${s.workers[0]!.url}/operator/towns/town-1/agents`, POLECAT, TOKEN);
    const first = startedPair(s, "polecat-1");
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 2, 20_000, "two renewals");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const swaps = s.fake.calls.filter((c) => c.method === "PUT").map((c) => (c.body as unknown as TokenPair).session_id);
    const sessions = (await s.auth.store.list({ agentId: "polecat-1" }, 100, null, Date.now())).sessions;
    assert.equal(sessions.length, 1 + swaps.length, "one dispatch per renewal, none duplicated");
    assert.equal(new Set(swaps).size, swaps.length);
    const old = await adminSession(s.auth, first.session_id);
    assert.deepEqual([old.state, old.revoke_reason], ["revoked", "superseded"], "revoked as superseded, not left to expire");
    assert.equal(sessions.filter((x) => x.state === "active").length <= 2, true, "never more than the new and the retiring one");
    const known = await view(s.workers[1]!, "polecat-1");
    assert.ok(Number(known.renewals) >= 2);
    assert.equal(s.fake.count("POST", "/agents/start"), 1, "never restarted");
  });

  test("a revocation message makes exactly one instance act; an admin revocation of a session the agent no longer holds stops nothing", async () => {
    const s = await startStack({}, 3);
    await post(`${s.workers[0]!.url}/operator/towns/town-1/agents`, POLECAT, TOKEN);
    const first = startedPair(s, "polecat-1");
    const r1 = (await refresh(s.auth, first.refresh_token)).body.refresh_token as string;
    assert.equal((await refresh(s.auth, r1)).status, 200);
    assert.equal((await refresh(s.auth, first.refresh_token)).body.error, "invalid_grant"); // reuse: revoked
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 5_000, "renewal after reuse");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(s.fake.count("PUT", "/tokens"), 1, "renewed by exactly one instance");
    // The container is made to hold another session than the worker's record says (a
    // pushed pair the worker does not know of yet): an admin revocation of the recorded
    // one must not stop the agent.
    const recorded = String((await view(s.workers[2]!, "polecat-1")).session_id);
    s.fake.agents.get("polecat-1")!.pair = { ...s.fake.agents.get("polecat-1")!.pair, session_id: "another-session" };
    await adminRevoke(s.auth, recorded);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(s.fake.count("DELETE", "/agents/polecat-1"), 0, "not stopped");
    assert.equal(s.fake.agents.get("polecat-1")!.state, "running");
  });

  test("a renewal after a reuse revocation that failed is retried after the backoff, though the container reports the session healthy", async () => {
    const s = await startStack({}, 2);
    await post(`${s.workers[0]!.url}/operator/towns/town-1/agents`, POLECAT, TOKEN);
    const first = startedPair(s, "polecat-1");
    s.fake.failSwaps = 500;
    const r1 = (await refresh(s.auth, first.refresh_token)).body.refresh_token as string;
    assert.equal((await refresh(s.auth, r1)).status, 200);
    assert.equal((await refresh(s.auth, first.refresh_token)).body.error, "invalid_grant"); // reuse: revoked
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 5_000, "the first (failing) renewal");
    s.fake.failSwaps = undefined;
    await waitFor(async () => Number((await view(s.workers[1]!, "polecat-1")).renewals) === 1, 15_000, "the renewal retried");
    const known = await view(s.workers[0]!, "polecat-1");
    assert.equal((known.last_renewal as { reason: string }).reason, "reuse_detected");
    assert.equal(s.fake.agents.get("polecat-1")!.pair.session_id, known.session_id);
  });

  test("a crashed instance's claim is taken over when its lease runs out; a restarted instance carries on", async () => {
    const s = await startStack({}, 1);
    const [a] = s.workers as [RunningWorkerApi];
    await post(`${a.url}/operator/towns/town-1/agents`, POLECAT, TOKEN);
    // A dead instance holds the agent: its claim, as the scripts keep it, with a lease end 1 s ahead.
    const keys = new AgentStateKeys(s.prefix);
    const leaseEnd = Date.now() + 1_000;
    await s.redis.hset(keys.claims("town-1"), "polecat-1", "dead-instance/1");
    await s.redis.zadd(keys.due("town-1"), leaseEnd, "polecat-1");
    s.fake.agents.get("polecat-1")!.lost = true; // its session needs a renewal now
    const message = post(`${a.url}/operator/towns/town-1/agents/polecat-1/messages`, { prompt: "after the crash" }, TOKEN);
    const answer = await message;
    const tookOverAt = Date.now();
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.renewed, true);
    assert.ok(tookOverAt >= leaseEnd - 50, "waited for the dead instance's lease");
    assert.ok(tookOverAt - leaseEnd < 1_500, `taken over ${tookOverAt - leaseEnd} ms after the lease ended`);
    // Restart: close (drain) and start a fresh instance; it knows the agent and renews it.
    await a.close();
    s.workers.length = 0;
    const b = await s.start();
    assert.equal((await view(b, "polecat-1")).state, "running");
    s.fake.agents.get("polecat-1")!.lost = true;
    s.clock.offsetMs = 61_000; // the reconcile interval has passed
    await waitFor(() => s.fake.calls.filter((c) => c.method === "PUT").length >= 1, 5_000, "renewal by the restarted instance");
    assert.equal((await view(b, "polecat-1")).renewals, 2);
  });
});

describe("an interrupted renewal (the instance died between the dispatch and its record)", () => {
  for (const inUse of [true, false]) {
    test(inUse ? "the container uses the pending session: the next instance adopts it and retires the old one" : "the pending session never reached the agent: it is revoked", async () => {
      const s = await startStack({}, 1);
      const [a] = s.workers as [RunningWorkerApi];
      await post(`${a.url}/operator/towns/town-1/agents`, POLECAT, TOKEN);
      const first = startedPair(s, "polecat-1");
      // What the dead instance did: a fresh dispatch, written as pending, maybe pushed.
      const pending = await dispatchPair(s.auth);
      const store = a.agentState;
      const claim = await store.claim("town-1", "polecat-1", Date.now(), 1_000);
      assert.ok(!("busy" in claim));
      const stored = (await store.read("town-1", "polecat-1"))!;
      await store.write(claim, { nowMs: Date.now(), data: { ...stored.data, pending: { sessionId: pending.session_id, dispatchedAtMs: Date.now() } }, mode: { keep: true, leaseMs: 1_000 } });
      if (inUse) s.fake.agents.get("polecat-1")!.pair = pending;
      // It died holding the claim: the lease runs out and the live instance takes over.
      await waitFor(async () => (await adminSession(s.auth, inUse ? first.session_id : pending.session_id)).state === "revoked", 10_000, "the left-over session revoked");
      const known = await view(a, "polecat-1");
      assert.equal(known.session_id, inUse ? pending.session_id : first.session_id);
      assert.equal((await adminSession(s.auth, String(known.session_id))).state, "active", "the session the agent holds stays live");
      assert.equal(s.fake.count("PUT", "/tokens"), 0, "no further dispatch was needed");
    });
  }
});

describe("superseded revocation delay", () => {
  test("always before the old session's own end, however short the lifetimes", () => {
    for (const overrides of [{ accessTokenTtl: 1, sessionMaxTtl: 12 }, { accessTokenTtl: 10, sessionMaxTtl: 12 }, { accessTokenTtl: 3600, sessionMaxTtl: 2_592_000 }]) {
      const policy = loadPolicy({}, overrides);
      const dispatchedAtMs = 1_700_000_000_000;
      const endMs = dispatchedAtMs + policy.sessionMaxTtl * 1000;
      for (const swappedBeforeEndMs of [1_000, 1_500, 3_000, 600_000]) {
        const now = endMs - swappedBeforeEndMs;
        const at = supersededRevokeAtMs({ sessionId: "s", dispatchedAtMs }, now, now, policy, 5_000);
        assert.ok(at < endMs, `${JSON.stringify(overrides)}: revoked ${endMs - at} ms before the end`);
        assert.ok(at >= now && at - now <= 5_000);
      }
    }
  });
});
