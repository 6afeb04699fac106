import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { DEVELOPMENT, waitFor } from "@gastown/testkit";
import { InProcessRevocationBus, type PolicyOverrides } from "@gastown/token-policy";
import { type RunningWorkerApi, startWorkerApi, type TokenPair } from "../src/index.js";
import { adminRevoke, adminSession, refresh } from "./helpers/auth.js";
import { type FakeContainer, startFakeContainer } from "./helpers/fake-container.js";
import { bearer, get, heartbeatUrl, post } from "./helpers/http.js";

interface Stack {
  auth: RunningAuthService;
  fake: FakeContainer;
  worker: RunningWorkerApi;
  clock: { offsetMs: number };
}

let stack: Stack | undefined;

async function startStack(policy: PolicyOverrides, extra: Partial<Parameters<typeof startWorkerApi>[0]> = {}): Promise<Stack> {
  const bus = new InProcessRevocationBus();
  const auth = await startAuthService({ env: DEVELOPMENT, redisUrl: null, revocationBus: bus, policyOverrides: policy, port: 0, logLevel: "silent" });
  const fake = await startFakeContainer();
  const clock = { offsetMs: 0 };
  const client = auth.dispatcherClients[0]!;
  const worker = await startWorkerApi({
    env: {},
    authUrl: auth.url,
    policyOverrides: { ...policy, issuer: auth.policy.issuer },
    redisUrl: null,
    revocationBus: bus,
    containerUrl: fake.url,
    containerControlToken: fake.token,
    clientId: client.id,
    clientSecret: client.secret,
    supersededRevokeDelayMs: 300,
    reconcileIntervalMs: 60_000,
    clock: () => Date.now() + clock.offsetMs,
    logLevel: "silent",
    ...extra,
  });
  stack = { auth, fake, worker, clock };
  return stack;
}

afterEach(async () => {
  if (!stack) return;
  await stack.worker.close();
  await stack.fake.close();
  await stack.auth.close();
  stack = undefined;
});

const POLECAT = { agent_id: "polecat-1", rig_id: "rig-1", user_id: "user-1", role: "polecat" };
const MAYOR = { agent_id: "mayor", user_id: "user-1", role: "mayor" };

async function operatorStart(s: Stack, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer = await post(`${s.worker.url}/operator/towns/town-1/agents`, { prompt: "work", ...body }, bearer(s.worker.operatorToken));
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function view(s: Stack, agentId: string): Promise<Record<string, unknown>> {
  return (await get(`${s.worker.url}/operator/towns/town-1/agents/${agentId}`, bearer(s.worker.operatorToken))).body;
}

const startedPair = (s: Stack, agentId = "polecat-1") => s.fake.calls.find((c) => c.path === "/agents/start" && c.body?.agent_id === agentId)!.body!.tokens as TokenPair;

describe("dispatcher", () => {
  test("startAgentInContainer: a dispatch-grant pair goes to the container in the start body", async () => {
    const s = await startStack({});
    const started = await operatorStart(s, POLECAT);
    const start = s.fake.calls.find((c) => c.path === "/agents/start")!;
    assert.equal(start.body?.agent_id, "polecat-1");
    assert.equal(start.body?.town_id, "town-1");
    assert.equal(start.body?.rig_id, "rig-1");
    assert.equal(start.body?.prompt, "work");
    const pair = startedPair(s);
    assert.match(pair.refresh_token, /^gtr_/);
    assert.equal(started.session_id, pair.session_id);
    assert.equal(JSON.stringify(started).includes(pair.access_token), false, "the operator API never shows a token");
    // The pushed access token is good on the agent's own route.
    assert.equal((await post(heartbeatUrl(s.worker.url, "town-1", "rig-1", "polecat-1"), {}, bearer(pair.access_token))).status, 202);
    const known = await view(s, "polecat-1");
    assert.equal(known.state, "running");
    assert.equal(known.renewals, 0);
    assert.equal((known.counts as Record<string, number>).heartbeat, 1);
    assert.equal((await post(`${s.worker.url}/operator/towns/town-1/agents`, POLECAT, bearer(s.worker.operatorToken))).status, 409);
  });

  test("a session near its absolute end is renewed by a push, the old one revoked as superseded, no restart", async () => {
    // Renewal margin = max(0.2 x min(10, 8) s, 1 s) = 1.6 s: due 6.4 s after the dispatch (whole second).
    const s = await startStack({ accessTokenTtl: 10, sessionMaxTtl: 8 });
    await operatorStart(s, POLECAT);
    const first = startedPair(s);
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 10_000, "token swap");
    const swap = s.fake.calls.find((c) => c.method === "PUT")!.body as unknown as TokenPair;
    assert.notEqual(swap.session_id, first.session_id);
    assert.equal(s.fake.count("POST", "/agents/start"), 1, "never restarted");
    const known = await view(s, "polecat-1");
    assert.equal(known.renewals, 1);
    assert.equal((known.last_renewal as { reason: string }).reason, "absolute_end");
    const old = await waitFor(async () => {
      const session = await adminSession(s.auth, first.session_id);
      return session.state !== "active" ? session : undefined;
    }, 5000, "superseded revocation");
    assert.deepEqual([old.state, old.revoke_reason], ["revoked", "superseded"]);
    assert.equal((await post(heartbeatUrl(s.worker.url, "town-1", "rig-1", "polecat-1"), {}, bearer(swap.access_token))).status, 202);
  });

  test("a session whose refreshes stopped is renewed before its idle timeout", async () => {
    // Idle margin = max(0.2 x min(2, 4) s, 1 s) = 1 s: due 3 s after the dispatch (whole second) without refreshes.
    const s = await startStack({ accessTokenTtl: 2, refreshIdleTtl: 4, sessionMaxTtl: 3600 });
    await operatorStart(s, POLECAT);
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 10_000, "token swap");
    assert.equal(((await view(s, "polecat-1")).last_renewal as { reason: string }).reason, "idle_end");
    assert.equal(s.fake.count("POST", "/agents/start"), 1);
  });

  test("the reconcile timer renews a lost session by a push, no restart", async () => {
    const s = await startStack({}, { reconcileIntervalMs: 200 });
    await operatorStart(s, POLECAT);
    const first = startedPair(s);
    s.fake.agents.get("polecat-1")!.lost = true;
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 10_000, "token swap");
    const known = await view(s, "polecat-1");
    assert.equal((known.last_renewal as { reason: string }).reason, "lost");
    assert.notEqual(known.session_id, first.session_id);
    assert.equal(s.fake.count("POST", "/agents/start"), 1, "never restarted");
    assert.equal(s.fake.agents.get("polecat-1")!.pid, known.pid);
  });

  test("a container that restarted and no longer knows the agent: the worker starts it again with a fresh session", async () => {
    const s = await startStack({});
    const first = await operatorStart(s, POLECAT);
    s.fake.agents.clear(); // the container restarted: its agents and their sessions are gone
    await s.worker.dispatcher.reconcile();
    const starts = s.fake.calls.filter((c) => c.path === "/agents/start");
    assert.equal(starts.length, 2, "started again in the container");
    const after = await view(s, "polecat-1");
    assert.equal(after.state, "running");
    assert.notEqual(after.session_id, first.session_id);
    assert.equal(startedPair(s).session_id, first.session_id, "the first start carried the first session");
    assert.equal((starts[1]!.body!.tokens as TokenPair).session_id, after.session_id);
    const old = await waitFor(async () => {
      const session = await adminSession(s.auth, first.session_id as string);
      return session.state !== "active" ? session : undefined;
    }, 5_000, "old session revoked");
    assert.deepEqual([old.state, old.revoke_reason], ["revoked", "superseded"]);
  });

  test("sendMayorMessage: plain delivery when healthy; a lost session gets a fresh pair with the message", async () => {
    const s = await startStack({});
    await operatorStart(s, MAYOR);
    const messages = `${s.worker.url}/operator/towns/town-1/agents/mayor/messages`;
    const plain = await post(messages, { prompt: "hello" }, bearer(s.worker.operatorToken));
    assert.equal(plain.status, 202);
    assert.equal(plain.body.renewed, false);
    assert.equal(s.fake.calls.filter((c) => c.path.endsWith("/message"))[0]!.body?.tokens, undefined);
    s.fake.agents.get("mayor")!.lost = true;
    const renewed = await post(messages, { prompt: "again" }, bearer(s.worker.operatorToken));
    assert.equal(renewed.status, 202);
    assert.equal(renewed.body.renewed, true);
    const withTokens = s.fake.calls.filter((c) => c.path.endsWith("/message"))[1]!.body!;
    assert.equal(withTokens.prompt, "again");
    assert.equal((withTokens.tokens as TokenPair).session_id, renewed.body.session_id);
    assert.equal(s.fake.count("POST", "/agents/start"), 1);
    assert.equal(s.fake.count("PUT", "/tokens"), 0);
    // The pushed pair works on the Mayor's tools.
    const tool = await post(`${s.worker.url}/api/mayor/town-1/tools/list_rigs`, {}, bearer((withTokens.tokens as TokenPair).access_token));
    assert.equal(tool.status, 202);
  });

  test("sendMayorMessage near the absolute end pushes a fresh pair with the message", async () => {
    // Margin = max(0.2 x 30 s, 1 s) = 6 s before the 60 s end; the worker's clock jumps 55 s.
    const s = await startStack({ accessTokenTtl: 30, sessionMaxTtl: 60 });
    await operatorStart(s, MAYOR);
    s.clock.offsetMs = 55_000;
    const answer = await post(`${s.worker.url}/operator/towns/town-1/agents/mayor/messages`, { prompt: "late" }, bearer(s.worker.operatorToken));
    assert.equal(answer.body.renewed, true);
    assert.equal(((await view(s, "mayor")).last_renewal as { reason: string }).reason, "absolute_end");
    assert.ok(s.fake.calls.find((c) => c.path.endsWith("/message"))!.body!.tokens);
    assert.equal(s.fake.count("POST", "/agents/start"), 1);
  });

  test("reuse detected: the revocation message triggers an immediate renewal", async () => {
    const s = await startStack({});
    await operatorStart(s, POLECAT);
    const first = startedPair(s);
    const r1 = (await refresh(s.auth, first.refresh_token)).body.refresh_token as string;
    assert.equal((await refresh(s.auth, r1)).status, 200);
    const reuse = await refresh(s.auth, first.refresh_token); // two generations old: reuse
    assert.equal(reuse.body.error, "invalid_grant");
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 5000, "renewal after reuse");
    const known = await view(s, "polecat-1");
    assert.equal((known.last_renewal as { reason: string }).reason, "reuse_detected");
    assert.equal(s.fake.count("POST", "/agents/start"), 1);
  });

  test("an admin revocation stops the agent instead of renewing", async () => {
    const s = await startStack({});
    await operatorStart(s, POLECAT);
    await adminRevoke(s.auth, startedPair(s).session_id);
    await waitFor(() => s.fake.count("DELETE", "/agents/polecat-1") >= 1, 5000, "stop");
    const known = await view(s, "polecat-1");
    assert.equal(known.state, "stopped");
    assert.equal(known.stop_reason, "revoked: admin");
    assert.equal(s.fake.count("PUT", "/tokens"), 0);
  });

  test("a failed swap revokes the unused pair and keeps the old session", async () => {
    const s = await startStack({}, { reconcileIntervalMs: 200 });
    await operatorStart(s, POLECAT);
    const first = startedPair(s);
    s.fake.failSwaps = 500;
    s.fake.agents.get("polecat-1")!.lost = true;
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 5000, "attempted swap");
    const attempted = s.fake.calls.find((c) => c.method === "PUT")!.body as unknown as TokenPair;
    await waitFor(async () => (await adminSession(s.auth, attempted.session_id)).state === "revoked", 5000, "unused pair revoked");
    assert.equal((await view(s, "polecat-1")).session_id, first.session_id);
    s.fake.failSwaps = undefined;
    await waitFor(async () => (await view(s, "polecat-1")).renewals === 1, 10_000, "renewal after retry");
  });
});
