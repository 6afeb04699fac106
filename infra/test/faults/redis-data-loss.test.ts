import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { Redis } from "ioredis";
import { MAYOR, polecat, sentCalls } from "../harness/agents.js";
import { waitForRenewal, waitForRotation, waitForSessionInUse } from "../harness/checks.js";
import { dispatchAgents, type FaultStack, startFaultStack } from "../harness/fault-stack.js";

// The worker checks each agent's session a margin (1 s) before its idle end: every ~7 s.
const LIFETIMES = { accessTokenTtl: 3, refreshIdleTtl: 8, sessionMaxTtl: 600, refreshGrace: 2, clockTolerance: 2 };
const IDS = ["mayor", "polecat-1"];

let faults: FaultStack;
before(async () => (faults = await startFaultStack({ lifetimes: LIFETIMES })));
after(() => faults?.close());

test("Redis loses its data: refreshes answer invalid_grant, sessions are reported lost and renewed by re-dispatch, no restart", async () => {
  const { redis, stack } = faults;
  const agents = await dispatchAgents(stack, [MAYOR, polecat(1)]);
  await waitForRotation(stack, "mayor", 0);

  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await client.flushall().finally(() => client.disconnect()); // this test's own instance only
  const flushedAt = Date.now();

  for (const { agentId: id, sessionId, pid } of agents) {
    const view = await waitForRenewal(stack, id, 30_000);
    assert.equal((view.last_renewal as { reason: string }).reason, "lost", `${id}: renewed because the container reported the session lost`);
    assert.notEqual(view.session_id, sessionId);
    const status = await waitForSessionInUse(stack, id, String(view.session_id));
    assert.equal(status.pid, pid, `${id} was not restarted`);
    assert.equal((status.session as { lost: boolean }).lost, false);
  }
  const lostLines = stack.supervisor.logs().filter((l) => l.msg === "session lost; waiting for a fresh pair");
  assert.deepEqual(new Set(lostLines.map((l) => l.agentId)), new Set(IDS), "each agent's session was reported lost");
  assert.ok(lostLines.every((l) => l.code === "invalid_grant"), "the refreshes answered invalid_grant");

  // The new sessions refresh normally and the agents' later callbacks succeed, same processes.
  await waitForRotation(stack, "mayor", 0);
  const since = Date.now();
  for (const id of IDS) await waitFor(() => sentCalls(stack.recordDir, id).filter((c) => c.at > since).length >= 5, 20_000, `${id} calling`);
  for (const { agentId: id, pid } of agents) {
    const later = sentCalls(stack.recordDir, id).filter((c) => c.at > since);
    assert.deepEqual(later.filter((c) => !c.ok), [], `${id}: later callbacks succeed`);
    assert.deepEqual([...new Set(sentCalls(stack.recordDir, id).map((c) => c.pid))], [pid], `${id}: one process`);
  }
  assert.ok(since > flushedAt);
});
