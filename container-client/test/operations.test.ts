import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { DEVELOPMENT, freePort, scrape, waitFor } from "@gastown/testkit";
import { REFRESH_OUTCOMES, type RefreshOutcome, type RunningSupervisor, startSupervisor } from "../src/index.js";
import { CONTROL_TOKEN, control, sampleAgentCommand } from "./helpers/agent-command.js";
import { adminRevoke, dispatch } from "./helpers/auth.js";
import { RecordingApi } from "./helpers/recording-api.js";
import { RecordingTokenEndpoint } from "./helpers/token-endpoint.js";

const refreshes = async (url: string): Promise<Record<RefreshOutcome, number>> => {
  const s = await scrape(url);
  const count = (outcome: RefreshOutcome) => s.value("gastown_container_refreshes_total", { outcome });
  return Object.fromEntries(REFRESH_OUTCOMES.map((outcome) => [outcome, count(outcome)])) as Record<RefreshOutcome, number>;
};

function startBody(agentId: string, tokens: object): Record<string, unknown> {
  return { agent_id: agentId, rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat", tokens };
}

describe("supervisor operations endpoints and metrics (recording token endpoint)", () => {
  let endpoint: RecordingTokenEndpoint;
  let api: RecordingApi;
  let supervisor: RunningSupervisor;

  before(async () => {
    endpoint = await new RecordingTokenEndpoint("sess-ops").start();
    api = await new RecordingApi().start();
    supervisor = await startSupervisor({
      env: { PATH: process.env.PATH ?? "" },
      port: 0,
      controlToken: CONTROL_TOKEN,
      apiUrl: api.url,
      authUrl: endpoint.url.replace(/\/oauth2\/token$/, ""),
      agentCommand: sampleAgentCommand("--interval-ms", "200"),
      heartbeatIntervalMs: 500,
      logLevel: "silent",
    });
  });
  after(async () => {
    await supervisor.close();
    await api.close();
    await endpoint.close();
  });

  it("/healthz, /readyz and /metrics answer without the control credential; every /agents route still requires it", async () => {
    const health = await control(supervisor.url, "GET", "/healthz", undefined, null);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    const ready = await control(supervisor.url, "GET", "/readyz", undefined, null);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ok", auth: "up", api: "up" });
    const metrics = await control(supervisor.url, "GET", "/metrics", undefined, null);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain/);

    const pair = endpoint.issue();
    const routes: [string, string, unknown][] = [
      ["POST", "/agents/start", startBody("guarded", pair)],
      ["GET", "/agents/guarded", undefined],
      ["PUT", "/agents/guarded/tokens", pair],
      ["POST", "/agents/guarded/message", { prompt: "hi" }],
      ["DELETE", "/agents/guarded", undefined],
      ["POST", "/metrics", {}],
    ];
    for (const token of [null, "wrong"]) {
      for (const [method, path, body] of routes) {
        const res = await control(supervisor.url, method, path, body, token);
        assert.equal(res.status, 401, `${method} ${path} with ${JSON.stringify(token)}`);
      }
    }
    assert.equal(supervisor.agents.size, 0, "nothing was started");
  });

  it("counts a refresh, a push, and reports each agent's seconds until expiry; never a token", async () => {
    const before = await refreshes(supervisor.url);
    const beforePushes = (await scrape(supervisor.url)).value("gastown_container_token_pushes_total");
    endpoint.mode = "ok";
    endpoint.expiresIn = 2;
    const first = endpoint.issue(); // refreshed at the refresh-ahead point of 2 s
    endpoint.expiresIn = 3600; // the refreshed pair then lives long: exactly one refresh
    assert.equal((await control(supervisor.url, "POST", "/agents/start", startBody("metered", first))).status, 201);
    await waitFor(async () => (await refreshes(supervisor.url)).ok - before.ok >= 1, 20_000, "one refresh");
    const agent = supervisor.agents.get("metered")!;
    assert.equal(endpoint.requests.filter((r) => r.refreshToken === first.refresh_token).length, 1);
    const afterRefresh = await refreshes(supervisor.url);
    assert.deepEqual({ ok: afterRefresh.ok - before.ok, failed: afterRefresh.failed - before.failed, lost: afterRefresh.lost - before.lost }, { ok: 1, failed: 0, lost: 0 });

    const pushed = { access_token: "pushed-metrics-token", refresh_token: "gtr_pushed_metrics", expires_in: 1800, session_id: "sess-pushed" };
    assert.equal((await control(supervisor.url, "PUT", "/agents/metered/tokens", pushed)).status, 200);
    assert.equal((await control(supervisor.url, "POST", "/agents/metered/message", { prompt: "hello", tokens: { ...pushed, access_token: "pushed-again" } })).status, 202);

    const s = await scrape(supervisor.url);
    assert.equal(s.value("gastown_container_token_pushes_total") - beforePushes, 2);
    const expiresIn = s.value("gastown_container_access_token_expires_in_seconds", { agent_id: "metered" });
    assert.ok(expiresIn > 1700 && expiresIn <= 1800, `expires in ${expiresIn} s after a 1800 s pair`);
    assert.equal(s.value("gastown_container_lost_sessions"), 0);
    assert.equal(s.value("gastown_container_agents", { state: "running" }), 1);
    for (const secret of [first.access_token, first.refresh_token, pushed.access_token, pushed.refresh_token, "pushed-again", "sess-pushed", CONTROL_TOKEN]) {
      assert.ok(!s.text.includes(secret), "metrics never carry a token or session id");
    }
    assert.ok(s.value("process_cpu_user_seconds_total", { service: "container-supervisor" }) >= 0);

    await control(supervisor.url, "DELETE", "/agents/metered");
    await agent.finished;
    const gone = await scrape(supervisor.url);
    assert.throws(() => gone.value("gastown_container_access_token_expires_in_seconds", { agent_id: "metered" }), /0 samples/, "a stopped agent leaves the gauge");
    assert.equal(gone.value("gastown_container_agents", { state: "stopped" }), 1);
  });

  it("counts failed refreshes while the token endpoint is down", async () => {
    const before = await refreshes(supervisor.url);
    endpoint.mode = "unavailable";
    endpoint.expiresIn = 2;
    const pair = endpoint.issue();
    assert.equal((await control(supervisor.url, "POST", "/agents/start", startBody("retrying", pair))).status, 201);
    await waitFor(async () => (await refreshes(supervisor.url)).failed - before.failed >= 1, 20_000, "a failed refresh");
    const during = await refreshes(supervisor.url);
    const attempts = endpoint.requests.filter((r) => r.refreshToken === pair.refresh_token).length;
    assert.ok(attempts >= during.failed - before.failed, "one count per answered attempt at most");
    assert.equal(during.lost - before.lost, 0, "a 503 is not a loss");
    endpoint.mode = "ok";
    endpoint.expiresIn = 3600;
    await control(supervisor.url, "DELETE", "/agents/retrying");
  });
});

describe("supervisor /readyz when a dependency does not answer", () => {
  it("answers 503 naming the auth-service and worker-api that are down", async () => {
    const deadAuth = `http://127.0.0.1:${await freePort()}`;
    const api = await new RecordingApi().start();
    const supervisor = await startSupervisor({ env: {}, port: 0, controlToken: CONTROL_TOKEN, apiUrl: api.url, authUrl: deadAuth, logLevel: "silent" });
    try {
      const ready = await control(supervisor.url, "GET", "/readyz", undefined, null);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: "unavailable", auth: "down", api: "up" });
      await api.close();
      const neither = await control(supervisor.url, "GET", "/readyz", undefined, null);
      assert.deepEqual(await neither.json(), { status: "unavailable", auth: "down", api: "down" });
      assert.equal((await control(supervisor.url, "GET", "/healthz", undefined, null)).status, 200);
    } finally {
      await supervisor.close();
    }
  });
});

describe("supervisor metrics with a real auth-service (4 s access tokens)", () => {
  let auth: RunningAuthService;
  let api: RecordingApi;
  let supervisor: RunningSupervisor;

  before(async () => {
    auth = await startAuthService({ env: DEVELOPMENT, port: 0, policyOverrides: { accessTokenTtl: 4, clockTolerance: 1 }, logLevel: "silent", redisUrl: null });
    api = await new RecordingApi().start();
    supervisor = await startSupervisor({
      env: { PATH: process.env.PATH ?? "" },
      port: 0,
      controlToken: CONTROL_TOKEN,
      apiUrl: api.url,
      authUrl: auth.url,
      clientId: auth.containerClientId,
      agentCommand: sampleAgentCommand("--interval-ms", "500"),
      heartbeatIntervalMs: 1000,
      logLevel: "silent",
    });
  });
  after(async () => {
    await supervisor.close();
    await api.close();
    await auth.close();
  });

  it("expires_in stays positive and within the access-token lifetime across refreshes; a revoked session shows as lost", async () => {
    const ttl = auth.policy.accessTokenTtl;
    const params = { agent_id: "polecat-7", rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat" };
    const before = await refreshes(supervisor.url);
    const tokens = await dispatch(auth, params);
    assert.equal((await control(supervisor.url, "POST", "/agents/start", { ...params, tokens })).status, 201);
    const fresh = (await scrape(supervisor.url)).value("gastown_container_access_token_expires_in_seconds", { agent_id: "polecat-7" });
    assert.ok(fresh > 0 && fresh <= ttl, `expires in ${fresh} s, lifetime ${ttl} s`);

    await waitFor(async () => (await refreshes(supervisor.url)).ok - before.ok >= 2, 30_000, "two refreshes with the real auth-service");
    const refreshed = await scrape(supervisor.url);
    const expiresIn = refreshed.value("gastown_container_access_token_expires_in_seconds", { agent_id: "polecat-7" });
    assert.ok(expiresIn > 0 && expiresIn <= ttl, `expires in ${expiresIn} s, lifetime ${ttl} s`);
    assert.equal(refreshed.value("gastown_container_lost_sessions"), 0);

    const current = supervisor.agents.get("polecat-7")!.session.status().session_id;
    assert.equal(await adminRevoke(auth, current), 200);
    await waitFor(async () => (await scrape(supervisor.url)).value("gastown_container_lost_sessions") === 1, 30_000, "lost_sessions 1");
    const lost = await refreshes(supervisor.url);
    assert.equal(lost.lost - before.lost, 1, "one loss counted once");
    assert.equal(lost.failed - before.failed, 0);

    const healed = await dispatch(auth, params);
    assert.equal((await control(supervisor.url, "PUT", "/agents/polecat-7/tokens", healed)).status, 200);
    const after = await scrape(supervisor.url);
    assert.equal(after.value("gastown_container_lost_sessions"), 0, "a pushed pair heals it");
    const healedIn = after.value("gastown_container_access_token_expires_in_seconds", { agent_id: "polecat-7" });
    assert.ok(healedIn > 0 && healedIn <= ttl);
    await control(supervisor.url, "DELETE", "/agents/polecat-7");
  });
});
