import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startAuthService } from "@gastown/auth-service";
import { DEVELOPMENT, waitFor } from "@gastown/testkit";
import { type RunningSupervisor, startSupervisor } from "../src/index.js";
import { CONTROL_TOKEN, control, sampleAgentCommand } from "./helpers/agent-command.js";
import { adminRevoke, dispatch, policyVerifier } from "./helpers/auth.js";
import { AuthProxy } from "./helpers/auth-proxy.js";
import { RecordingApi } from "./helpers/recording-api.js";

interface AgentLine {
  call: string;
  status: number;
  ok: boolean;
}

function agentLines(supervisor: RunningSupervisor, agentId: string): AgentLine[] {
  return (supervisor.agents.get(agentId)?.output ?? []).filter((l) => l.startsWith('{"call"')).map((l) => JSON.parse(l) as AgentLine);
}

async function statusOf(supervisor: RunningSupervisor, agentId: string): Promise<{ pid: number; state: string; session: { session_id: string; lost: boolean; refresh_failures: number } }> {
  return (await (await control(supervisor.url, "GET", `/agents/${agentId}`)).json()) as never;
}

/** A real auth-service with short lifetimes, a supervisor refreshing through a proxy, and a recording API that verifies every token through token-policy. */
async function stack(ttl: number, supervisorPolicy: Record<string, number> = {}) {
  const auth = await startAuthService({ env: DEVELOPMENT, port: 0, policyOverrides: { accessTokenTtl: ttl, clockTolerance: 1 }, logLevel: "silent", redisUrl: null });
  const proxy = await new AuthProxy(auth.url).start();
  const api = await new RecordingApi(policyVerifier(auth)).start();
  const supervisor = await startSupervisor({
    env: { PATH: process.env.PATH ?? "" },
    port: 0,
    controlToken: CONTROL_TOKEN,
    apiUrl: api.url,
    authUrl: proxy.url,
    clientId: auth.containerClientId,
    agentCommand: sampleAgentCommand("--interval-ms", "200"),
    heartbeatIntervalMs: 500,
    policyOverrides: supervisorPolicy,
    logLevel: "silent",
  });
  return {
    auth, proxy, api, supervisor,
    async close() {
      await supervisor.close();
      await api.close();
      await proxy.close();
      await auth.close();
    },
  };
}

describe("with a real auth-service (2 s access tokens)", () => {
  let s: Awaited<ReturnType<typeof stack>>;
  before(async () => {
    s = await stack(2);
  });
  after(() => s.close());

  it("an agent process calls continuously across 20 access-token lifetimes with valid tokens and one PID", async () => {
    const params = { agent_id: "mayor-1", town_id: "town-1", user_id: "user-1", role: "mayor" };
    const tokens = await dispatch(s.auth, params);
    const res = await control(s.supervisor.url, "POST", "/agents/start", { ...params, tokens });
    assert.equal(res.status, 201);
    const { pid } = (await res.json()) as { pid: number };
    const started = Date.now();
    const lifetimes = 20;
    await waitFor(() => Date.now() - started >= lifetimes * 2_000 + 500, lifetimes * 2_000 + 30_000, "20 lifetimes", 250);
    const status = await statusOf(s.supervisor, "mayor-1");
    assert.equal(status.pid, pid, "the agent was never restarted");
    assert.equal(status.state, "running");
    process.kill(pid, 0);

    const calls = s.api.calls.filter((c) => c.at >= started);
    assert.deepEqual(s.api.rejections, [], "every call carried a valid token");
    assert.ok(calls.every((c) => c.status === 200));
    const toolCalls = calls.filter((c) => c.path.includes("/tools/"));
    const heartbeats = calls.filter((c) => c.path.endsWith("/heartbeat"));
    assert.ok(toolCalls.length >= lifetimes * 5, `agent calls kept coming (${toolCalls.length})`);
    assert.ok(heartbeats.length >= lifetimes, `heartbeats kept coming (${heartbeats.length})`);
    const accessTokens = new Set(calls.map((c) => c.claims?.jti));
    assert.ok(accessTokens.size >= lifetimes, `the session was refreshed across the run (${accessTokens.size} access tokens)`);
    assert.ok(calls.every((c) => c.claims?.sid === tokens.session_id), "one session the whole time");
    const lines = agentLines(s.supervisor, "mayor-1");
    assert.ok(lines.length > lifetimes * 5);
    assert.deepEqual(lines.filter((l) => !l.ok), [], "the agent saw no failure either");
    await control(s.supervisor.url, "DELETE", "/agents/mayor-1");
  });

  it("invalid_grant ends in lost, reported once, with no refresh loop; a pushed pair heals the running agent", async () => {
    const params = { agent_id: "polecat-9", rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat" };
    const tokens = await dispatch(s.auth, params);
    const res = await control(s.supervisor.url, "POST", "/agents/start", { ...params, tokens });
    const { pid } = (await res.json()) as { pid: number };
    const agent = s.supervisor.agents.get("polecat-9")!;
    let lost = 0;
    agent.session.on("lost", () => (lost += 1));
    assert.equal(await adminRevoke(s.auth, tokens.session_id), 200);
    await waitFor(async () => (await statusOf(s.supervisor, "polecat-9")).session.lost, 20_000, "lost status");
    const refreshesAtLoss = s.proxy.refreshes;
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(s.proxy.refreshes, refreshesAtLoss, "no refresh after the loss");
    assert.equal(lost, 1, "reported once");
    const still = await statusOf(s.supervisor, "polecat-9");
    assert.equal(still.pid, pid);
    assert.equal(still.state, "running");

    const fresh = await dispatch(s.auth, params);
    const put = await control(s.supervisor.url, "PUT", "/agents/polecat-9/tokens", fresh);
    assert.equal(put.status, 200);
    const healed = (await put.json()) as { pid: number; session: { lost: boolean; session_id: string } };
    assert.deepEqual([healed.pid, healed.session.lost, healed.session.session_id], [pid, false, fresh.session_id]);
    const since = Date.now() + 100;
    await waitFor(() => s.api.callsTo("/agents/polecat-9/events", since).filter((c) => c.claims !== undefined).length >= 20, 30_000, "calls on the new session");
    const after = s.api.callsTo("/polecat-9/events", since).concat(s.api.callsTo("/polecat-9/heartbeat", since));
    assert.ok(after.every((c) => c.status === 200 && c.claims?.sid === fresh.session_id), "the new session serves every call");
    assert.ok(new Set(after.map((c) => c.claims?.jti)).size >= 2, "the new session is refreshed");
    await control(s.supervisor.url, "DELETE", "/agents/polecat-9");
  });
});

describe("with a real auth-service that becomes unreachable", () => {
  let s: Awaited<ReturnType<typeof stack>>;
  before(async () => {
    // Retries once a second (the policy's retry cap, overridden for the test) so the outage can end shortly before expiry.
    s = await stack(12, { retryMaxMs: 1_000 });
  });
  after(() => s.close());

  it("no call fails while the auth-service is down for less than the token's remaining life", async () => {
    const params = { agent_id: "mayor-2", town_id: "town-2", user_id: "user-2", role: "mayor" };
    const tokens = await dispatch(s.auth, params);
    s.proxy.down = true;
    const started = Date.now();
    const res = await control(s.supervisor.url, "POST", "/agents/start", { ...params, tokens });
    const { pid } = (await res.json()) as { pid: number };
    await waitFor(() => s.proxy.rejectedWhileDown >= 1, 20_000, "a refresh attempt during the outage", 50);
    const during = await statusOf(s.supervisor, "mayor-2");
    assert.ok(during.session.refresh_failures >= 1);
    assert.equal(during.session.lost, false);
    s.proxy.down = false;
    await waitFor(() => s.proxy.refreshes >= 1, 20_000, "the refresh after the outage", 50);
    await waitFor(async () => (await statusOf(s.supervisor, "mayor-2")).session.refresh_failures === 0, 5_000, "recovered");
    const recoveredAt = Date.now();
    await waitFor(() => Date.now() - recoveredAt > 1_000, 5_000, "calls on the new token");
    const calls = s.api.calls.filter((c) => c.at >= started);
    assert.deepEqual(s.api.rejections, [], "no call failed");
    assert.ok(calls.some((c) => c.at > recoveredAt && c.claims?.jti !== calls[0]?.claims?.jti), "calls moved on to the refreshed token");
    assert.deepEqual(agentLines(s.supervisor, "mayor-2").filter((l) => !l.ok), []);
    assert.equal((await statusOf(s.supervisor, "mayor-2")).pid, pid);
  });
});
