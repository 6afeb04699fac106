import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { Redis } from "ioredis";
import { MAYOR, polecat, sentCalls, TOWN, tally } from "./harness/agents.js";
import { sleep } from "./harness/checks.js";
import { renewalsByInstance, waitForClaimBy, waitForTakeover } from "./harness/claims.js";
import { type DispatchedAgent, dispatchAgents, type FaultStack, startFaultStack } from "./harness/fault-stack.js";

// DESIGN.md "worker-api state: restarts and replicas". Sessions end after 20 s; the worker
// renews each a margin max(0.2 x min(10, 20) s, 1 s) = 2 s before. A killed instance's claims
// wait out their 1 s lease; the clock tolerance (2 s) is all the slack an access token has.
const LIFETIMES = { accessTokenTtl: 10, refreshIdleTtl: 15, sessionMaxTtl: 20, refreshGrace: 2, clockTolerance: 2 };
const WORKER_ENV = { WORKER_CLAIM_LEASE_MS: "1000", WORKER_CLAIM_POLL_MS: "100" };
const AGENTS = [MAYOR, polecat(1), polecat(2)];
/** Four absolute lifetimes: renewals at about 18, 36, 54 and 72 s. */
const SOAK_MS = 76_000;

let faults: FaultStack;
let redis: Redis;
before(async () => {
  // The proxy stands where a load balancer would: calls made while the instance is down wait for it.
  faults = await startFaultStack({ lifetimes: LIFETIMES, workerProxy: true, workerEnv: WORKER_ENV, agentIntervalMs: 150, supervisorClockOffsetMs: 0 });
  redis = new Redis(faults.redis.url);
});
after(async () => {
  redis?.disconnect();
  await faults?.close();
});

type Json = Record<string, unknown>;

/** The Mayor's stored events that its process posted for a delivered message. */
async function deliveredMessages(): Promise<Json[]> {
  const { stack } = faults;
  const res = await fetch(`${stack.workerUrl}/operator/towns/${TOWN}/agents/mayor/records`, { headers: { authorization: `Bearer ${stack.secrets.operatorToken}` } });
  const records = (await res.json()) as { events: { body: Json }[] };
  return records.events.map((e) => e.body).filter((body) => body.type === "message");
}

/** A message right after a restart reaches the running Mayor (it posts a `message` event of the prompt's length). */
async function assertMessageDelivered(prompt: string): Promise<void> {
  const answer = await faults.stack.message("mayor", prompt);
  assert.equal(answer.status, 202, `message after the restart: ${answer.status} ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.started, false, "delivered to the running Mayor, not a new process");
  await waitFor(async () => (await deliveredMessages()).some((m) => m.length === prompt.length), 10_000, `the Mayor posting "${prompt}"`);
}

const renewals = async () => {
  let total = 0;
  for (const { agent_id } of AGENTS) total += Number((await faults.stack.view(agent_id)).renewals);
  return total;
};

test("worker-api restarted with SIGTERM, then killed with SIGKILL: no agent forgotten, no renewal missed, no 401", { timeout: 150_000 }, async () => {
  const { stack } = faults;
  const dispatched: DispatchedAgent[] = [...(await dispatchAgents(stack, AGENTS))];
  const started = Date.now();
  await sleep(12_000);

  // 1. SIGTERM: the instance drains (requests in flight finish, claims released), then a new process starts.
  const sigtermAt = Date.now();
  assert.equal(await stack.worker.stop("SIGTERM"), 0, "drained and exited cleanly");
  await stack.worker.start();
  const sigtermDownMs = Date.now() - sigtermAt;
  await assertMessageDelivered("a message right after the SIGTERM restart");
  await sleep(8_000);

  // 2. SIGKILL while the instance holds a claim on an agent: the restarted process takes it over when the lease ends.
  const held = await waitForClaimBy(redis, stack.prefix, stack.worker.pid!, 30_000);
  await stack.worker.stop("SIGKILL");
  const killedAt = Date.now();
  await stack.worker.start();
  const upAt = Date.now();
  const takenOverAt = await waitForTakeover(redis, stack.prefix, held, 10_000);
  await assertMessageDelivered("a message right after the SIGKILL restart");

  // Renewals continue: every agent crosses further absolute lifetimes after the kill.
  const afterKill = await renewals();
  await sleep(Math.max(0, started + SOAK_MS - Date.now()));
  assert.ok((await renewals()) >= afterKill + AGENTS.length, "renewals after the restarts");
  const elapsedSec = (Date.now() - started) / 1000;

  for (const agent of dispatched) {
    const status = await stack.container(agent.agentId);
    assert.equal(status.body.state, "running", `${agent.agentId} still running`);
    assert.equal(status.body.pid, agent.pid, `${agent.agentId}: same PID throughout`);
    const calls = sentCalls(stack.recordDir, agent.agentId);
    const t = tally(calls);
    assert.deepEqual(calls.filter((c) => c.status === 401), [], `${agent.agentId}: no 401`);
    assert.deepEqual([...t.pids], [agent.pid], `${agent.agentId}: one process`);
    const view = await stack.view(agent.agentId);
    assert.equal(view.state, "running");
    assert.ok(Number(view.renewals) >= 3, `${agent.agentId} renewed across absolute lifetimes (${view.renewals})`);
  }
  // Every ended session was revoked as superseded (none expired for want of a renewal).
  for (const { agent_id } of AGENTS) {
    const sessions = await stack.sessions(agent_id);
    const live = sessions.filter((s) => s.state === "active");
    assert.ok(live.length >= 1 && live.length <= 2, `${agent_id}: ${live.length} live sessions`);
    for (const s of sessions.filter((x) => x.state !== "active")) assert.equal(s.revoke_reason, "superseded", `${agent_id}: ${JSON.stringify(s)}`);
  }
  const failed = AGENTS.map(({ agent_id }) => tally(sentCalls(stack.recordDir, agent_id)).failed.length);
  console.log(
    [
      "worker-api restart figures",
      `  wall time                  ${elapsedSec.toFixed(1)} s (${(elapsedSec / LIFETIMES.sessionMaxTtl).toFixed(1)} absolute lifetimes of ${LIFETIMES.sessionMaxTtl} s)`,
      `  SIGTERM restart            down ${sigtermDownMs} ms (drain + new process)`,
      `  SIGKILL                    held ${held.agentId}'s claim; new process up after ${upAt - killedAt} ms; claim taken over ${takenOverAt - killedAt} ms after the kill (lease ${WORKER_ENV.WORKER_CLAIM_LEASE_MS} ms)`,
      `  renewals per instance      ${JSON.stringify(renewalsByInstance(stack.workers))}`,
      `  callbacks                  ${AGENTS.map(({ agent_id }) => sentCalls(stack.recordDir, agent_id).length).reduce((a, b) => a + b, 0)} sent, 0 answered 401, ${failed.reduce((a, b) => a + b, 0)} failed otherwise (lost in flight with the killed process)`,
    ].join("\n"),
  );
});
