import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { type RunningSupervisor, startSupervisor } from "@gastown/container-client";
import { deleteKeys, freePort, randomPrefix, randomUidRange, testRedisUrl, DEVELOPMENT } from "@gastown/testkit";
import { parseRevocationEvent, type PolicyOverrides, type RevocationEvent, revocationChannel } from "@gastown/token-policy";
import { type RunningWorkerApi, startWorkerApi } from "@gastown/worker-api";
import { Redis } from "ioredis";
import type { StackEvent } from "../src/stack/events.js";
import { AgentWatch } from "../src/stack/watch.js";
import { MAYOR, makeRecordDir, polecat, STORED_KIND, sentCalls, TOWN, tally } from "./harness/agents.js";
import { CALLBACK_AGENT } from "./harness/stack.js";

// Whole seconds (the refresh floor is 1 s). A 1 s token is refreshed every ~1 s; exp is
// whole seconds, so a token may live as little as a moment past its issue second: the
// 2 s tolerance keeps it acceptable for >= 2 s, twice the refresh interval. The session
// ends after 30 s: the worker must renew it by a pushed re-dispatch (1 s before its end).
const POLICY: PolicyOverrides = { accessTokenTtl: 1, refreshGrace: 2, clockTolerance: 2, refreshIdleTtl: 6, sessionMaxTtl: 30 };
const SOAK_MS = 106_000;
const AGENTS = [MAYOR, polecat(1), polecat(2), polecat(3)];
const CONTROL_TOKEN = "soak-control-token-0123456789abcdef";

let redisUrl: string;
let redis: Redis;
let subscriber: Redis;
let auth: RunningAuthService;
let supervisor: RunningSupervisor;
let worker: RunningWorkerApi;
let recordDir: string;
const prefix = randomPrefix("soak");

before(async () => {
  redisUrl = await testRedisUrl();
  redis = new Redis(redisUrl);
  subscriber = new Redis(redisUrl);
  recordDir = makeRecordDir(mkdtempSync(join(tmpdir(), "gt-soak-")));
  auth = await startAuthService({ env: DEVELOPMENT, redisUrl, prefix, policyOverrides: POLICY, port: 0, logLevel: "silent" });
  const policy = { ...POLICY, issuer: auth.policy.issuer };
  const workerPort = await freePort();
  supervisor = await startSupervisor({
    env: { PATH: process.env.PATH },
    port: 0,
    controlToken: CONTROL_TOKEN,
    apiUrl: `http://127.0.0.1:${workerPort}`,
    authUrl: auth.url,
    policyOverrides: policy,
    agentCommand: [process.execPath, CALLBACK_AGENT, "--interval-ms", "150", "--record-dir", recordDir],
    // Uids of its own: another test's supervisor sweeping the default range never kills these agents.
    ...(process.getuid?.() === 0 ? { agentUids: randomUidRange() } : {}),
    // The agents make the heartbeats here, so that sent and stored counts match exactly.
    heartbeatIntervalMs: 3_600_000,
    logLevel: "silent",
  });
  const client = auth.dispatcherClients[0]!;
  worker = await startWorkerApi({
    env: {},
    port: workerPort,
    authUrl: auth.url,
    policyOverrides: policy,
    redisUrl,
    prefix,
    containerUrl: supervisor.url,
    containerControlToken: CONTROL_TOKEN,
    clientId: client.id,
    clientSecret: client.secret,
    // No supersededRevokeDelayMs: the default (5 s) is cut to half of what is left of the old
    // session (renewed 1 s before its end), so every replaced session still ends superseded.
    logLevel: "silent",
  });
});

after(async () => {
  await supervisor?.close();
  await worker?.close();
  await auth?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
  subscriber.disconnect();
  rmSync(recordDir, { recursive: true, force: true });
});

async function operator(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${worker.url}/operator/towns/${TOWN}${path}`, {
    method,
    headers: { authorization: `Bearer ${worker.operatorToken}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** `gastown_auth_grants_total{grant_type="refresh_token",outcome=...}` from the auth-service's /metrics. */
async function refreshOutcomes(): Promise<Record<string, number>> {
  const text = await (await fetch(`${auth.url}/metrics`)).text();
  const outcomes: Record<string, number> = {};
  for (const match of text.matchAll(/^gastown_auth_grants_total\{([^}]*)\} (\d+)/gm)) {
    const labels = match[1]!;
    if (!labels.includes('grant_type="refresh_token"')) continue;
    const outcome = /outcome="([^"]+)"/.exec(labels)?.[1] ?? "?";
    outcomes[outcome] = (outcomes[outcome] ?? 0) + Number(match[2]);
  }
  return outcomes;
}

test("Mayor soak: four agents call back continuously across 100+ access-token lifetimes and several absolute session lifetimes", { timeout: 240_000 }, async () => {
  const revocations: RevocationEvent[] = [];
  const channel = revocationChannel(prefix);
  subscriber.on("message", (received: string, raw: string) => {
    const event = received === channel ? parseRevocationEvent(raw) : undefined;
    if (event) revocations.push(event);
  });
  await subscriber.subscribe(channel);
  const events: StackEvent[] = [];
  const watch = new AgentWatch(supervisor, (event) => events.push(event));

  const started = Date.now();
  const sessions = new Map<string, string>(); // session id -> agent
  const pids = new Map<string, number>();
  for (const agent of AGENTS) {
    const view = await operator("POST", "/agents", agent);
    assert.equal(typeof view.session_id, "string", JSON.stringify(view));
    sessions.set(String(view.session_id), agent.agent_id);
    pids.set(agent.agent_id, Number(view.pid));
  }
  // Every renewal the worker made, with its reason (polled well inside the 29 s between two).
  const renewals = new Map<string, { agent: string; reason: string }>();
  while (Date.now() - started < SOAK_MS) {
    await new Promise((r) => setTimeout(r, 1_000));
    for (const { agent_id } of AGENTS) {
      const view = await operator("GET", `/agents/${agent_id}`);
      const last = view.last_renewal as { at: number; reason: string } | null;
      if (last) renewals.set(`${agent_id}@${last.at}`, { agent: agent_id, reason: last.reason });
    }
  }
  const elapsedSec = (Date.now() - started) / 1000;
  for (const { agent_id } of AGENTS) {
    const status = supervisor.agents.get(agent_id)!.status();
    assert.equal(status.state, "running", `${agent_id} still running`);
    assert.equal(status.pid, pids.get(agent_id), `${agent_id}: the PID never changed`);
  }
  for (const { agent_id } of AGENTS) await supervisor.agents.get(agent_id)!.stop();
  watch.stop();

  // Callbacks: none failed, every one stored by the worker-api, all from one process per agent.
  let sent = 0;
  let stored = 0;
  for (const { agent_id } of AGENTS) {
    const t = tally(sentCalls(recordDir, agent_id));
    const counts = (await operator("GET", `/agents/${agent_id}/records`)).counts as Record<string, number>;
    assert.deepEqual(t.failed, [], `${agent_id}: no failed callback`);
    assert.deepEqual([...t.pids], [pids.get(agent_id)], `${agent_id}: one process throughout`);
    for (const kind of Object.keys(STORED_KIND) as (keyof typeof STORED_KIND)[]) {
      assert.equal(counts[STORED_KIND[kind]], t.okByKind[kind], `${agent_id}: every ${kind} callback stored`);
      stored += counts[STORED_KIND[kind]] ?? 0;
    }
    sent += t.sent;
  }

  // Sessions: renewed only by refresh or by a pushed re-dispatch; none lost.
  const refreshes = events.filter((e) => e.kind === "refresh");
  const pushes = events.filter((e) => e.kind === "push") as Extract<StackEvent, { kind: "push" }>[];
  const lost = events.filter((e) => e.kind === "lost");
  const retries = events.filter((e) => e.kind === "retry");
  for (const push of pushes) sessions.set(push.sessionId, push.agent);
  assert.deepEqual(lost, [], "no session was lost");
  assert.equal(pushes.length, renewals.size, "every renewal by the worker was a push into the running agent");
  assert.deepEqual([...new Set([...renewals.values()].map((r) => r.reason))], ["absolute_end"], "renewed only ahead of the absolute end");
  for (const { agent_id } of AGENTS) assert.ok(pushes.some((p) => p.agent === agent_id), `${agent_id} crossed an absolute session lifetime by a push`);
  const current = new Set(AGENTS.map(({ agent_id }) => supervisor.agents.get(agent_id)!.status().session.session_id));
  const ended = [...sessions.keys()].filter((sid) => !current.has(sid));
  const reasons = new Map(revocations.map((r) => [r.sid, r.reason]));
  for (const sid of ended) assert.equal(reasons.get(sid), "superseded", `session of ${sessions.get(sid)} ended only by superseded revocation after a push`);
  assert.deepEqual([...new Set(revocations.map((r) => r.reason))].filter((r) => r !== "superseded"), [], "no other revocation");

  const outcomes = await refreshOutcomes();
  const authRefreshes = Object.values(outcomes).reduce((a, b) => a + b, 0);
  assert.equal(authRefreshes, (outcomes.rotated ?? 0) + (outcomes.grace_replay ?? 0), `no refresh refused: ${JSON.stringify(outcomes)}`);
  assert.ok(authRefreshes >= refreshes.length, "the auth-service answered every refresh the container saw");
  const lifetimes = elapsedSec / POLICY.accessTokenTtl!;
  assert.ok(lifetimes >= 100, `${lifetimes} access-token lifetimes crossed`);
  for (const { agent_id } of AGENTS) {
    const n = refreshes.filter((e) => e.agent === agent_id).length;
    assert.ok(n >= 0.75 * lifetimes, `${agent_id}: ${n} refreshes in ${lifetimes.toFixed(0)} lifetimes`);
  }

  console.log(
    [
      "Mayor soak figures",
      `  wall time                 ${elapsedSec.toFixed(1)} s`,
      `  lifetimes                 access ${POLICY.accessTokenTtl} s, grace ${POLICY.refreshGrace} s, idle ${POLICY.refreshIdleTtl} s, session ${POLICY.sessionMaxTtl} s, tolerance ${POLICY.clockTolerance} s`,
      `  access-token lifetimes    ${lifetimes.toFixed(0)} crossed`,
      `  absolute lifetimes        ${(elapsedSec / POLICY.sessionMaxTtl!).toFixed(1)} crossed`,
      `  agents                    ${AGENTS.length} (mayor + 3 polecats), PIDs unchanged`,
      `  refreshes                 ${refreshes.length} seen by the container, ${authRefreshes} answered by the auth-service ${JSON.stringify(outcomes)}`,
      `  refresh retries           ${retries.length}`,
      `  pushes (re-dispatches)    ${pushes.length} (reasons: ${[...new Set([...renewals.values()].map((r) => r.reason))].join(", ")})`,
      `  sessions                  ${sessions.size}, ended ${ended.length} (all superseded), lost ${lost.length}`,
      `  callbacks                 ${sent} sent, ${stored} stored, ${sent - stored} failed or missing`,
    ].join("\n"),
  );
});
