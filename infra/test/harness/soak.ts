import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { type RunningSupervisor, startSupervisor } from "@gastown/container-client";
import { closeRedis, createRedisConnection, createRedisSubscriber, type RedisSettings } from "@gastown/service-kit";
import { DEVELOPMENT, deleteKeys, freePort, randomPrefix, randomUidRange } from "@gastown/testkit";
import { type PolicyOverrides, parseRevocationEvent, type RevocationEvent, revocationChannel } from "@gastown/token-policy";
import { type RunningWorkerApi, startWorkerApi } from "@gastown/worker-api";
import type { StackEvent } from "../../src/stack/events.js";
import { AgentWatch } from "../../src/stack/watch.js";
import { MAYOR, makeRecordDir, polecat, STORED_KIND, sentCalls, TOWN, tally } from "./agents.js";
import { CALLBACK_AGENT } from "./stack.js";

// Whole seconds (the refresh floor is 1 s). A 1 s token is refreshed every ~1 s; exp is
// whole seconds, so a token may live as little as a moment past its issue second: the
// 2 s tolerance keeps it acceptable for >= 2 s, twice the refresh interval. The session
// ends after 30 s: the worker must renew it by a pushed re-dispatch (1 s before its end).
const DEFAULT_POLICY: PolicyOverrides = { accessTokenTtl: 1, refreshGrace: 2, clockTolerance: 2, refreshIdleTtl: 6, sessionMaxTtl: 30 };

function policyOf(options: SoakOptions): PolicyOverrides {
  const access = options.accessTokenTtl ?? DEFAULT_POLICY.accessTokenTtl!;
  return { ...DEFAULT_POLICY, accessTokenTtl: access, refreshIdleTtl: Math.max(DEFAULT_POLICY.refreshIdleTtl!, 3 * access), ...(options.refreshGrace ? { refreshGrace: options.refreshGrace } : {}) };
}
const AGENTS = [MAYOR, polecat(1), polecat(2), polecat(3)];
const CONTROL_TOKEN = "soak-control-token-0123456789abcdef";

export interface SoakOptions {
  /** The Redis every service uses, in any mode (standalone, cluster, Sentinel). */
  redis: RedisSettings;
  /** Label in the printed figures. */
  mode: string;
  /** How long the agents call back (the access token lives 1 s). */
  soakMs: number;
  /** Access-token lifetimes the soak must cross. */
  minLifetimes: number;
  /** Access-token lifetime, s (default 1). */
  accessTokenTtl?: number;
  /** Grace window, s (default the soak policy's, 2). */
  refreshGrace?: number;
  /**
   * The worker's reconcile period (default its own, 30 s). A session lost to a failover is
   * renewed at the next reconcile; with test lifetimes this must be scaled like them (in
   * production 30 s against the ~12 min an agent's token still has when a refresh fails).
   */
  reconcileIntervalMs?: number;
  /**
   * A Redis failover to run this long into the soak (SENTINEL FAILOVER, CLUSTER FAILOVER,
   * a killed primary). The soak then also prints what it cost: refreshes retried, refused,
   * sessions lost and renewed by a pushed re-dispatch.
   */
  failover?: { atMs: number; run(sessionKeys: readonly string[]): Promise<string> };
  /** More auth-service settings (e.g. AUTH_REDIS_WAIT_REPLICAS), over the development defaults. */
  authEnv?: NodeJS.ProcessEnv;
}

interface Soak {
  auth: RunningAuthService;
  worker: RunningWorkerApi;
  supervisor: RunningSupervisor;
}

async function operator(worker: RunningWorkerApi, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${worker.url}/operator/towns/${TOWN}${path}`, {
    method,
    headers: { authorization: `Bearer ${worker.operatorToken}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** `gastown_auth_grants_total{grant_type="refresh_token",outcome=...}` from the auth-service's /metrics. */
async function refreshOutcomes(auth: RunningAuthService): Promise<Record<string, number>> {
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

/**
 * The Mayor soak: four agents (a Mayor and three polecats) call back continuously through
 * real in-process services on one Redis, across many access-token lifetimes and several
 * absolute session lifetimes, optionally through a Redis failover. Asserts zero failed
 * callbacks (so zero 401s) and unchanged PIDs; prints the figures.
 */
export async function runSoak(options: SoakOptions): Promise<void> {
  const POLICY = policyOf(options);
  const prefix = randomPrefix("soak");
  const redis = createRedisConnection(options.redis, { name: `${prefix}soak-test`, maxRetriesPerRequest: 20 });
  const subscriber = createRedisSubscriber(options.redis, { name: `${prefix}soak-listener` });
  for (const c of [redis, subscriber]) c.on("error", () => {});
  const recordDir = makeRecordDir(mkdtempSync(join(tmpdir(), "gt-soak-")));
  const soak: Partial<Soak> = {};
  try {
    soak.auth = await startAuthService({ env: { ...DEVELOPMENT, ...options.authEnv }, redis: options.redis, prefix, policyOverrides: POLICY, port: 0, logLevel: "silent" });
    const policy = { ...POLICY, issuer: soak.auth.policy.issuer };
    const workerPort = await freePort();
    soak.supervisor = await startSupervisor({
      env: { PATH: process.env.PATH },
      port: 0,
      controlToken: CONTROL_TOKEN,
      apiUrl: `http://127.0.0.1:${workerPort}`,
      authUrl: soak.auth.url,
      policyOverrides: policy,
      agentCommand: [process.execPath, CALLBACK_AGENT, "--interval-ms", "150", "--record-dir", recordDir],
      // Uids of its own: another test's supervisor sweeping the default range never kills these agents.
      ...(process.getuid?.() === 0 ? { agentUids: randomUidRange() } : {}),
      // The agents make the heartbeats here, so that sent and stored counts match exactly.
      heartbeatIntervalMs: 3_600_000,
      logLevel: "silent",
    });
    const client = soak.auth.dispatcherClients[0]!;
    soak.worker = await startWorkerApi({
      env: {},
      port: workerPort,
      authUrl: soak.auth.url,
      policyOverrides: policy,
      redis: options.redis,
      prefix,
      containerUrl: soak.supervisor.url,
      containerControlToken: CONTROL_TOKEN,
      clientId: client.id,
      clientSecret: client.secret,
      // No supersededRevokeDelayMs: the default (5 s) is cut to half of what is left of the old
      // session (renewed 1 s before its end), so every replaced session still ends superseded.
      ...(options.reconcileIntervalMs ? { reconcileIntervalMs: options.reconcileIntervalMs } : {}),
      logLevel: "silent",
    });
    await soakWith(soak as Soak, options, prefix, subscriber, recordDir);
  } finally {
    await soak.supervisor?.close();
    await soak.worker?.close();
    await soak.auth?.close();
    await deleteKeys(redis, prefix).catch(() => {});
    subscriber.disconnect();
    await closeRedis(redis);
    rmSync(recordDir, { recursive: true, force: true });
  }
}

async function soakWith({ auth, worker, supervisor }: Soak, options: SoakOptions, prefix: string, subscriber: import("@gastown/service-kit").RedisConnection, recordDir: string): Promise<void> {
  const SOAK_MS = options.soakMs;
  const POLICY = policyOf(options);
  const operatorCall = (method: string, path: string, body?: unknown) => operator(worker, method, path, body);

  const failingOver = options.failover !== undefined;
  let failover: Promise<string> | undefined;
  let failoverAt = 0;
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
    const view = await operatorCall("POST", "/agents", agent);
    assert.equal(typeof view.session_id, "string", JSON.stringify(view));
    sessions.set(String(view.session_id), agent.agent_id);
    pids.set(agent.agent_id, Number(view.pid));
  }
  // Every renewal the worker made, with its reason (polled well inside the 29 s between two).
  const renewals = new Map<string, { agent: string; reason: string }>();
  while (Date.now() - started < SOAK_MS) {
    await new Promise((r) => setTimeout(r, 1_000));
    if (options.failover && !failover && Date.now() - started >= options.failover.atMs) {
      failoverAt = Date.now();
      const keys = AGENTS.map(({ agent_id }) => `${prefix}session:{${supervisor.agents.get(agent_id)!.status().session.session_id}}`);
      failover = options.failover.run(keys);
    }
    for (const { agent_id } of AGENTS) {
      const view = await operatorCall("GET", `/agents/${agent_id}`);
      const last = view.last_renewal as { at: number; reason: string } | null;
      if (last) renewals.set(`${agent_id}@${last.at}`, { agent: agent_id, reason: last.reason });
    }
  }
  const elapsedSec = (Date.now() - started) / 1000;
  const failoverDone = failover ? await failover : "none";
  for (const { agent_id } of AGENTS) {
    const status = supervisor.agents.get(agent_id)!.status();
    assert.equal(status.state, "running", `${agent_id} still running`);
    assert.equal(status.pid, pids.get(agent_id), `${agent_id}: the PID never changed`);
  }
  for (const { agent_id } of AGENTS) await supervisor.agents.get(agent_id)!.stop();
  watch.stop();
  if (failingOver) {
    // Printed before any assertion, so a failing run still shows what the failover did.
    const failedCalls = AGENTS.map(({ agent_id }) => `${agent_id} ${tally(sentCalls(recordDir, agent_id)).failed.length}`).join(", ");
    console.log(`${options.mode}: ${failoverDone} at ${((failoverAt - started) / 1000).toFixed(1)} s; refresh outcomes ${JSON.stringify(await refreshOutcomes(auth))}; events ${JSON.stringify(events.filter((e) => e.kind !== "refresh" && e.kind !== "call").map((e) => `${e.kind}:${e.agent}`))}; failed callbacks ${failedCalls}`);
  }

  // Callbacks: none failed, every one stored by the worker-api, all from one process per agent.
  let sent = 0;
  let stored = 0;
  let recordsLost = 0;
  for (const { agent_id } of AGENTS) {
    const t = tally(sentCalls(recordDir, agent_id));
    const counts = (await operatorCall("GET", `/agents/${agent_id}/records`)).counts as Record<string, number>;
    assert.deepEqual(t.failed, [], `${agent_id}: no failed callback`);
    assert.deepEqual([...t.pids], [pids.get(agent_id)], `${agent_id}: one process throughout`);
    for (const kind of Object.keys(STORED_KIND) as (keyof typeof STORED_KIND)[]) {
      // Through a failover, records acknowledged by the old primary but not replicated are
      // lost with it (asynchronous replication): counted as part of the failover's cost.
      if (failingOver) recordsLost += t.okByKind[kind] - (counts[STORED_KIND[kind]] ?? 0);
      else assert.equal(counts[STORED_KIND[kind]], t.okByKind[kind], `${agent_id}: every ${kind} callback stored`);
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
  assert.equal(pushes.length, renewals.size, "every renewal by the worker was a push into the running agent");
  if (!failingOver) {
    assert.deepEqual(lost, [], "no session was lost");
    assert.deepEqual([...new Set([...renewals.values()].map((r) => r.reason))], ["absolute_end"], "renewed only ahead of the absolute end");
  } else {
    // A rotation lost with the failed primary shows up as a lost session that the worker renews.
    for (const event of lost) {
      const at = events.indexOf(event);
      assert.ok(events.slice(at).some((e) => e.kind === "push" && e.agent === event.agent), `${event.agent}: its lost session was renewed by a push`);
    }
  }
  for (const { agent_id } of AGENTS) assert.ok(pushes.some((p) => p.agent === agent_id), `${agent_id} crossed an absolute session lifetime by a push`);
  const current = new Set(AGENTS.map(({ agent_id }) => supervisor.agents.get(agent_id)!.status().session.session_id));
  const ended = [...sessions.keys()].filter((sid) => !current.has(sid));
  const reasons = new Map(revocations.map((r) => [r.sid, r.reason]));
  for (const sid of ended) assert.equal(reasons.get(sid), "superseded", `session of ${sessions.get(sid)} ended only by superseded revocation after a push`);
  if (!failingOver) assert.deepEqual([...new Set(revocations.map((r) => r.reason))].filter((r) => r !== "superseded"), [], "no other revocation");

  const outcomes = await refreshOutcomes(auth);
  const authRefreshes = Object.values(outcomes).reduce((a, b) => a + b, 0);
  const refused = authRefreshes - (outcomes.rotated ?? 0) - (outcomes.grace_replay ?? 0);
  if (!failingOver) assert.equal(refused, 0, `no refresh refused: ${JSON.stringify(outcomes)}`);
  assert.ok(authRefreshes >= refreshes.length, "the auth-service answered every refresh the container saw");
  const lifetimes = elapsedSec / POLICY.accessTokenTtl!;
  assert.ok(lifetimes >= options.minLifetimes, `${lifetimes} access-token lifetimes crossed`);
  for (const { agent_id } of AGENTS) {
    const n = refreshes.filter((e) => e.agent === agent_id).length;
    assert.ok(n >= 0.75 * lifetimes, `${agent_id}: ${n} refreshes in ${lifetimes.toFixed(0)} lifetimes`);
  }

  console.log(
    [
      `Mayor soak figures (${options.mode})`,
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
      ...(failingOver
        ? [
            `  failover                  ${failoverDone} at ${((failoverAt - started) / 1000).toFixed(1)} s`,
            `  failover cost             ${retries.length} refreshes retried, ${refused} refused ${JSON.stringify(outcomes)}, ${lost.length} sessions lost and ${lost.length} renewed by a push, ${recordsLost} acknowledged records lost with the old primary, 0 failed callbacks, PIDs unchanged`,
          ]
        : []),
    ].join("\n"),
  );
}
