import assert from "node:assert/strict";
import { after, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { type AgentSpec, MAYOR, polecat, sentCalls, TOWN, tally } from "./harness/agents.js";
import { agentPid, assertEveryCallbackStored, sleep } from "./harness/checks.js";
import { renewalsByInstance } from "./harness/claims.js";
import { type FaultStack, startFaultStack } from "./harness/fault-stack.js";
import { SessionWatch } from "./harness/session-watch.js";
import type { ProcessStack } from "./harness/stack.js";

// DESIGN.md "worker-api state: restarts and replicas": several instances behind a
// round-robin proxy (as a load balancer). Sessions end after 12 s (renewed 2 s before).
const LIFETIMES = { accessTokenTtl: 10, refreshIdleTtl: 12, sessionMaxTtl: 12, refreshGrace: 2, clockTolerance: 2 };
const WORKER_ENV = { WORKER_CLAIM_LEASE_MS: "1000", WORKER_CLAIM_POLL_MS: "100" };

const stacks: FaultStack[] = [];
after(async () => {
  for (const s of stacks) await s.close();
});

async function start(workers: number): Promise<ProcessStack> {
  const faults = await startFaultStack({ lifetimes: LIFETIMES, workers, workerEnv: WORKER_ENV, agentIntervalMs: 150, supervisorClockOffsetMs: 0 });
  stacks.push(faults);
  return faults.stack;
}

type Json = Record<string, unknown>;

/** One operator call at one instance (not through the proxy). */
async function operator(stack: ProcessStack, at: string, method: string, path: string, json?: unknown): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { authorization: `Bearer ${stack.secrets.operatorToken}` };
  if (json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${at}/operator/towns/${TOWN}/agents${path}`, { method, headers, body: json === undefined ? null : JSON.stringify(json), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

/**
 * The auth-service's view of an agent's sessions over the whole run: one per dispatch (the
 * first plus one per renewal the worker reports), every replaced one revoked as superseded,
 * the current one live. `dispatches`: operator dispatches of the agent.
 */
async function assertOneSessionPerRenewal(stack: ProcessStack, watch: SessionWatch, agentId: string, dispatches = 1): Promise<void> {
  const view = await stack.view(agentId);
  const sessions = [...(watch.seen.get(agentId)?.values() ?? [])];
  assert.equal(sessions.length, dispatches + Number(view.renewals), `${agentId}: one session per renewal (${sessions.length} sessions, ${view.renewals} renewals)`);
  const live = sessions.filter((s) => s.state === "active").map((s) => s.session_id);
  assert.ok(live.includes(view.session_id), `${agentId}: the current session is live`);
  // Besides it, only the session it just replaced (revoked a few seconds after the swap).
  const renewedAgoMs = Date.now() - Number((view.last_renewal as { at?: number } | null)?.at ?? 0);
  assert.ok(live.length === 1 || (live.length === 2 && renewedAgoMs < 6_000), `${agentId}: live ${JSON.stringify(live)}, renewed ${renewedAgoMs} ms ago`);
  const ended = sessions.filter((s) => s.state !== "active" && s.revoke_reason !== "client");
  for (const s of ended) assert.equal(s.revoke_reason, "superseded", `${agentId}: ${JSON.stringify(s)}`);
  assert.ok((watch.maxLive.get(agentId) ?? 0) <= 2, `${agentId}: at most the new and the retiring session live at once`);
}

test("two instances: every operator call works on every instance; one session per renewal", { timeout: 90_000 }, async () => {
  const stack = await start(2);
  const [a, b] = stack.workerUrls as [string, string];
  const agents: AgentSpec[] = [MAYOR, polecat(1)];
  for (const [i, agent] of agents.entries()) assert.equal((await operator(stack, stack.workerUrls[i]!, "POST", "", agent)).status, 201);
  for (const agent of agents) await agentPid(stack, agent.agent_id);
  const watch = new SessionWatch(stack, agents.map((x) => x.agent_id));
  for (const at of [a, b]) {
    for (const agent of agents) {
      const view = await operator(stack, at, "GET", `/${agent.agent_id}`);
      assert.deepEqual([view.status, view.body.state], [200, "running"], `${at} reads ${agent.agent_id}`);
      assert.equal((await operator(stack, at, "POST", "", agent)).status, 409, `${at} refuses a second dispatch of ${agent.agent_id}`);
    }
    const message = await operator(stack, at, "POST", "/mayor/messages", { prompt: `hello from ${at}` });
    assert.deepEqual([message.status, message.body.started], [202, false], JSON.stringify(message.body));
  }
  // Stop on one instance, dispatch again on the other.
  assert.equal((await operator(stack, b, "DELETE", "/polecat-1")).status, 200);
  assert.equal((await operator(stack, a, "GET", "/polecat-1")).body.state, "stopped");
  assert.equal((await operator(stack, a, "POST", "", polecat(1))).status, 201);
  // Both sessions cross an absolute lifetime; each end is met by exactly one renewal.
  await waitFor(async () => Number((await stack.view("mayor")).renewals) >= 2 && Number((await stack.view("polecat-1")).renewals) >= 1, 40_000, "renewals");
  await sleep(2_500); // the last superseded revocation lands
  await watch.stop();
  await assertOneSessionPerRenewal(stack, watch, "mayor");
  // polecat-1: its first session (revoked by the stop as client), then the second dispatch and its renewals.
  const firstStopped = [...watch.seen.get("polecat-1")!.values()].filter((s) => s.revoke_reason === "client");
  assert.equal(firstStopped.length, 1, "the operator stop revoked its session by id");
  await assertOneSessionPerRenewal(stack, watch, "polecat-1", 2);
  console.log(`two instances: renewals per instance ${JSON.stringify(renewalsByInstance(stack.workers))}`);
});

test("three instances, rolling restart of all during the Mayor soak: zero failed callbacks, no duplicate dispatch", { timeout: 120_000 }, async () => {
  const stack = await start(3);
  const agents: AgentSpec[] = [MAYOR, polecat(1), polecat(2)];
  const pids = new Map<string, number>();
  for (const agent of agents) await stack.dispatch(agent);
  for (const agent of agents) pids.set(agent.agent_id, await agentPid(stack, agent.agent_id));
  const started = Date.now();
  const watch = new SessionWatch(stack, agents.map((x) => x.agent_id));
  try {
    await sleep(8_000);
    const restarts: number[] = [];
    for (const worker of stack.workers) {
      const at = Date.now();
      assert.equal(await worker.stop("SIGTERM"), 0, `${worker.name} drained and exited cleanly`);
      await worker.start();
      restarts.push(Date.now() - at);
      const message = await stack.message("mayor", `after restarting ${worker.name}`);
      assert.equal(message.status, 202, JSON.stringify(message.body));
      await sleep(6_000);
    }
    await sleep(Math.max(0, started + 50_000 - Date.now()));
    const elapsedSec = (Date.now() - started) / 1000;
    for (const { agent_id } of agents) {
      const status = await stack.container(agent_id);
      assert.deepEqual([status.body.state, status.body.pid], ["running", pids.get(agent_id)], `${agent_id}: same process`);
      assert.ok(Number((await stack.view(agent_id)).renewals) >= 3, `${agent_id} crossed several absolute lifetimes`);
    }
    for (const at of stack.workerUrls) {
      for (const { agent_id } of agents) assert.equal((await operator(stack, at, "GET", `/${agent_id}`)).body.state, "running", `${at} reads ${agent_id}`);
    }
    await sleep(2_500); // the last superseded revocations land
    await watch.stop();
    for (const { agent_id } of agents) await assertOneSessionPerRenewal(stack, watch, agent_id);
    const sent = agents.map(({ agent_id }) => tally(sentCalls(stack.recordDir, agent_id)).sent).reduce((x, y) => x + y, 0);
    const checks = await assertEveryCallbackStored(stack, agents.map((a) => a.agent_id));
    const refusedByProxy = stack.workerProxy!.routed.filter((r) => r.refused > 0).length;
    console.log(
      [
        "three instances, rolling restart",
        `  wall time               ${elapsedSec.toFixed(1)} s (${(elapsedSec / LIFETIMES.sessionMaxTtl).toFixed(1)} absolute lifetimes of ${LIFETIMES.sessionMaxTtl} s)`,
        `  restarts (SIGTERM)      ${restarts.map((ms) => `${ms} ms`).join(", ")} (drain + new process)`,
        `  renewals per instance   ${JSON.stringify(renewalsByInstance(stack.workers))}`,
        `  callbacks               ${sent} sent, ${Object.values(checks).reduce((n, c) => n + c.failed, 0)} failed; ${refusedByProxy} requests re-routed by the proxy past a stopped instance`,
        `  live sessions at once    at most ${Math.max(...watch.maxLive.values())} per agent (the new one and the one being retired)`,
      ].join("\n"),
    );
  } finally {
    await watch.stop();
  }
});
