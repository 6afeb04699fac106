import assert from "node:assert/strict";
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { waitFor } from "@gastown/testkit";
import { type RunningSupervisor, startSupervisor } from "../src/index.js";
import { CONTROL_TOKEN, control, sampleAgentCommand } from "./helpers/agent-command.js";
import { RecordingApi } from "./helpers/recording-api.js";
import { RecordingTokenEndpoint } from "./helpers/token-endpoint.js";

const INHERITED = {
  ...process.env,
  CONTAINER_CONTROL_TOKEN: CONTROL_TOKEN,
  AUTH_TOKEN_SECRET: "auth-secret-that-must-not-leak-0123456789",
  WORKER_CLIENT_SECRET: "worker-secret-that-must-not-leak",
  GASTOWN_API_URL: "http://127.0.0.1:9/wrong",
  GASTOWN_SOMETHING_ELSE: "leak",
  KEEP_ME: "kept",
};

function readEnviron(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function startBody(agentId: string, tokens: object, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { agent_id: agentId, rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "refinery", tokens, ...extra };
}

describe("supervisor with a recording token endpoint", () => {
  let endpoint: RecordingTokenEndpoint;
  let api: RecordingApi;
  let supervisor: RunningSupervisor;

  before(async () => {
    endpoint = await new RecordingTokenEndpoint("sess-sup").start();
    api = await new RecordingApi().start();
    supervisor = await startSupervisor({
      env: INHERITED,
      port: 0,
      controlToken: CONTROL_TOKEN,
      apiUrl: api.url,
      authUrl: endpoint.url.replace(/\/oauth2\/token$/, ""),
      agentCommand: sampleAgentCommand("--interval-ms", "100"),
      heartbeatIntervalMs: 100,
      logLevel: "silent",
    });
  });
  after(async () => {
    await supervisor.close();
    await api.close();
    await endpoint.close();
  });

  it("refuses requests without the control credential and changes nothing", async () => {
    for (const token of [null, "wrong", `${CONTROL_TOKEN}x`, ""]) {
      const res = await control(supervisor.url, "POST", "/agents/start", startBody("nope", endpoint.issue()), token);
      assert.equal(res.status, 401, `token ${JSON.stringify(token)}`);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    }
    assert.equal((await control(supervisor.url, "GET", "/agents/nope", undefined, "wrong")).status, 401);
    assert.equal(supervisor.agents.has("nope"), false);
  });

  it("answers malformed requests with 400 and a clear message", async () => {
    const pair = endpoint.issue();
    const cases: [string, unknown, RegExp][] = [
      ["not json", "{nope", /not valid JSON/],
      ["array", [1], /JSON object/],
      ["no tokens", { ...startBody("a1", pair), tokens: undefined }, /tokens is required/],
      ["bad role", startBody("a1", pair, { role: "king" }), /role/],
      ["bad agent id", startBody("../etc", pair), /agent_id/],
      ["bad rig id", startBody("a1", pair, { rig_id: "" }), /rig_id/],
      ["bad expires_in", startBody("a1", { ...pair, expires_in: "soon" }), /expires_in/],
      ["empty access token", startBody("a1", { ...pair, access_token: "" }), /access_token/],
      ["unknown field", startBody("a1", pair, { admin: true }), /unknown field admin/],
      ["prompt not a string", startBody("a1", pair, { prompt: 42 }), /prompt/],
    ];
    for (const [name, body, message] of cases) {
      const res = await control(supervisor.url, "POST", "/agents/start", body);
      assert.equal(res.status, 400, name);
      const json = (await res.json()) as { error: string; error_description: string };
      assert.equal(json.error, "invalid_request", name);
      assert.match(json.error_description, message, name);
    }
    // Another media type is 415 (RFC 9110 §15.5.16, service-kit's one body rule; it was a 400).
    const wrongType = await fetch(`${supervisor.url}/agents/start`, { method: "POST", headers: { authorization: `Bearer ${CONTROL_TOKEN}`, "content-type": "text/plain" }, body: "{}" });
    assert.equal(wrongType.status, 415);
    assert.equal(supervisor.agents.size, 0);
    assert.equal((await control(supervisor.url, "GET", "/agents/ghost")).status, 404);
    assert.equal((await control(supervisor.url, "PUT", "/agents/ghost/tokens", pair)).status, 404);
    assert.equal((await control(supervisor.url, "DELETE", "/agents/ghost")).status, 404);
  });

  it("gives the agent exactly its GASTOWN_* variables and a 0600 token file, never a refresh token or the control credential", async () => {
    const pair = endpoint.issue();
    const res = await control(supervisor.url, "POST", "/agents/start", startBody("envcheck", pair));
    assert.equal(res.status, 201);
    const status = (await res.json()) as { pid: number; state: string };
    assert.equal(status.state, "running");
    const env = readEnviron(status.pid);
    const agent = supervisor.agents.get("envcheck")!;
    const gastown = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("GASTOWN_")));
    assert.deepEqual(gastown, {
      GASTOWN_API_URL: api.url,
      GASTOWN_SESSION_TOKEN_FILE: agent.tokenFile.path,
      GASTOWN_AGENT_ID: "envcheck",
      GASTOWN_RIG_ID: "rig-1",
      GASTOWN_TOWN_ID: "town-1",
      GASTOWN_ROLE: "refinery",
    });
    // The environment is an allowlist (issue 12): an unrelated variable of the supervisor is not passed on.
    assert.equal(env.KEEP_ME, undefined);
    assert.equal(env.HOME, agent.workspace.home);
    assert.deepEqual(Object.keys(env).filter((k) => !k.startsWith("GASTOWN_") && !["PATH", "LANG", "LC_ALL", "TZ", "HOME"].includes(k)), []);
    const environText = readFileSync(`/proc/${status.pid}/environ`, "utf8");
    for (const secret of [pair.refresh_token, pair.access_token, CONTROL_TOKEN, INHERITED.AUTH_TOKEN_SECRET, INHERITED.WORKER_CLIENT_SECRET]) {
      assert.ok(!environText.includes(secret), "a secret reached the child's environment");
    }
    const file = statSync(agent.tokenFile.path);
    assert.equal(file.mode & 0o777, 0o600);
    assert.equal(statSync(agent.tokenFile.directory).mode & 0o777, 0o700);
    assert.ok(agent.user !== undefined, "the tests run as root (CI does): agents get their own uid");
    assert.deepEqual([file.uid, file.gid, statSync(agent.tokenFile.directory).uid, statSync(agent.workspace.home).uid], [agent.user.uid, agent.user.gid, agent.user.uid, agent.user.uid]);
    assert.equal(readFileSync(agent.tokenFile.path, "utf8"), pair.access_token);
    for (const name of readdirSync(agent.tokenFile.directory, { recursive: true }) as string[]) {
      const path = join(agent.tokenFile.directory, name);
      if (statSync(path).isFile()) assert.ok(!readFileSync(path, "utf8").includes(pair.refresh_token));
    }
    const statusText = await (await control(supervisor.url, "GET", "/agents/envcheck")).text();
    assert.ok(!statusText.includes(pair.access_token) && !statusText.includes(pair.refresh_token), "status never carries a token");
    await waitFor(() => api.callsTo("/agents/envcheck/events").length > 0 && api.callsTo("/agents/envcheck/heartbeat").length > 0, 20_000, "agent calls and heartbeats");
    assert.ok(api.calls.filter((c) => c.path.includes("envcheck")).every((c) => c.token === pair.access_token));
    assert.equal((await control(supervisor.url, "POST", "/agents/start", startBody("envcheck", endpoint.issue()))).status, 409);
    const stopped = await control(supervisor.url, "DELETE", "/agents/envcheck");
    assert.equal(((await stopped.json()) as { state: string }).state, "stopped");
    assert.throws(() => process.kill(status.pid, 0), "the process is gone");
    assert.equal(api.callsTo("/agents/envcheck/done").length + api.callsTo("/agents/envcheck/completed").length, 0, "a stopped agent reports no completion");
  });

  it("a pushed pair is used by the very next call of every component and of the agent", async () => {
    const first = endpoint.issue();
    const res = await control(supervisor.url, "POST", "/agents/start", startBody("pusher", first));
    const { pid } = (await res.json()) as { pid: number };
    const agent = supervisor.agents.get("pusher")!;
    await waitFor(() => api.callsTo("/agents/pusher/events").length > 0, 20_000, "first agent call");
    const oldFile = openSync(agent.tokenFile.path, "r");

    const pushed = { access_token: "pushed-by-put", refresh_token: "gtr_pushed_put", expires_in: 3600, session_id: "sess-put" };
    const put = await control(supervisor.url, "PUT", "/agents/pusher/tokens", pushed);
    assert.equal(put.status, 200);
    const putStatus = (await put.json()) as { session: { session_id: string } };
    assert.equal(putStatus.session.session_id, "sess-put");
    assert.equal(readFileSync(agent.tokenFile.path, "utf8"), "pushed-by-put", "the file is replaced before the answer");
    assert.notEqual(statSync(agent.tokenFile.path).ino, fstatSync(oldFile).ino, "replaced by rename, not rewritten in place");
    assert.equal(readFileSync(oldFile, "utf8"), first.access_token, "the old file still holds the old token");
    closeSync(oldFile);

    const viaMessage = { access_token: "pushed-by-message", refresh_token: "gtr_pushed_msg", expires_in: 3600, session_id: "sess-msg" };
    const since = Date.now();
    const delivered = await control(supervisor.url, "POST", "/agents/pusher/message", { prompt: "merge entry-7", tokens: viaMessage });
    assert.equal(delivered.status, 202);
    const merge = await waitFor(() => api.callsTo("/review-queue/entry-7/complete")[0], 20_000, "merge callback");
    assert.equal(merge.token, "pushed-by-message");
    assert.equal(merge.body.status, "merged");
    const forwarded = await waitFor(() => api.callsTo("/agents/pusher/events", since).find((c) => c.body.type === "message_received"), 20_000, "forwarded event");
    assert.equal(forwarded.token, "pushed-by-message");
    const direct = await waitFor(() => api.callsTo("/agents/pusher/events", since).find((c) => c.body.type === "message"), 20_000, "agent's own call");
    assert.equal(direct.token, "pushed-by-message");
    const heartbeat = await waitFor(() => api.callsTo("/agents/pusher/heartbeat", Date.now())[0], 20_000, "next heartbeat");
    assert.equal(heartbeat.token, "pushed-by-message");

    const stop = await control(supervisor.url, "POST", "/agents/pusher/message", { prompt: "stop" });
    assert.equal(stop.status, 202);
    const done = await waitFor(() => api.callsTo("/rigs/rig-1/agents/pusher/done")[0], 20_000, "completion report");
    assert.equal(done.token, "pushed-by-message");
    assert.deepEqual(done.body, { status: "done", exit_code: 0 });
    await agent.finished;
    assert.equal(agent.state, "exited");
    assert.equal(agent.pid, pid);
    assert.equal(endpoint.requests.filter((r) => r.refreshToken?.startsWith("gtr_pushed")).length, 0, "a fresh pair is not refreshed early");
    assert.equal((await control(supervisor.url, "POST", "/agents/pusher/message", { prompt: "x" })).status, 409);
  });

  it("emits each stdout line of the agent as an output event", async () => {
    endpoint.mode = "ok";
    endpoint.expiresIn = 3600;
    const res = await control(supervisor.url, "POST", "/agents/start", startBody("talker", endpoint.issue()));
    assert.equal(res.status, 201);
    const agent = supervisor.agents.get("talker")!;
    const seen: string[] = [];
    agent.on("output", (line) => seen.push(line));
    const line = await waitFor(() => seen.find((l) => l.includes('"call"')), 20_000, "an output event");
    assert.deepEqual(Object.keys(JSON.parse(line) as object).slice(0, 3), ["call", "status", "ok"]);
    assert.ok(seen.every((l) => agent.output.includes(l)), "the same lines as the kept output");
    await control(supervisor.url, "DELETE", "/agents/talker");
  });

  it("a lost session shows in the status, stops refreshing, and a pushed pair heals it without a restart", async () => {
    endpoint.expiresIn = 2;
    endpoint.mode = "invalid_grant";
    const pair = endpoint.issue();
    const res = await control(supervisor.url, "POST", "/agents/start", { ...startBody("loser", pair), rig_id: undefined, role: "mayor" });
    const { pid } = (await res.json()) as { pid: number };
    const agent = supervisor.agents.get("loser")!;
    let lostEvents = 0;
    agent.session.on("lost", () => (lostEvents += 1));
    const lost = await waitFor(async () => {
      const body = (await (await control(supervisor.url, "GET", "/agents/loser")).json()) as { session: { lost: boolean } };
      return body.session.lost ? body : undefined;
    }, 20_000, "lost status");
    assert.equal(lost.session.lost, true);
    const attempts = endpoint.requests.filter((r) => r.refreshToken === pair.refresh_token).length;
    assert.equal(attempts, 1);
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(endpoint.requests.filter((r) => r.refreshToken === pair.refresh_token).length, 1, "no refresh loop");
    assert.equal(lostEvents, 1, "reported once, never again");
    const before = api.calls.length;
    await waitFor(() => api.callsTo("/tools/list_rigs").filter((c) => c.at > Date.now() - 500).length > 0, 20_000, "agent still calling");
    assert.ok(api.calls.slice(before).filter((c) => c.path.includes("loser") || c.path.includes("/tools/")).every((c) => c.token === pair.access_token), "calls keep the last token");

    endpoint.mode = "ok";
    endpoint.expiresIn = 3600;
    const fresh = endpoint.issue();
    const put = await control(supervisor.url, "PUT", "/agents/loser/tokens", { ...fresh, session_id: "sess-fresh" });
    const healed = (await put.json()) as { pid: number; session: { lost: boolean; session_id: string } };
    assert.equal(healed.session.lost, false);
    assert.equal(healed.session.session_id, "sess-fresh");
    assert.equal(healed.pid, pid, "the agent was not restarted");
    const since = Date.now();
    const next = await waitFor(() => api.callsTo("/tools/list_rigs", since + 50)[0], 20_000, "next tool call");
    assert.equal(next.token, fresh.access_token);
    const heartbeat = await waitFor(() => api.callsTo("/agents/loser/heartbeat", since + 50)[0], 20_000, "next heartbeat");
    assert.equal(heartbeat.token, fresh.access_token);
    assert.ok(api.callsTo("/agents/loser/heartbeat").length > 0 && api.callsTo("/rigs/").filter((c) => c.path.includes("loser")).length === 0, "town-level routes for the mayor");
  });
});
