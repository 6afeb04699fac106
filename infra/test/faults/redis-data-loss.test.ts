import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { MAYOR, polecat, sentCalls } from "../harness/agents.js";
import { agentPid, waitForRotation } from "../harness/checks.js";
import { startTestRedis, type TestRedis } from "../harness/redis.js";
import { ProcessStack } from "../harness/stack.js";

// The worker checks each agent's session a margin (1 s) before its idle end: every ~7 s.
const LIFETIMES = { accessTokenTtl: 3, refreshIdleTtl: 8, sessionMaxTtl: 600, refreshGrace: 2, clockTolerance: 2 };
const IDS = ["mayor", "polecat-1"];

let redis: TestRedis;
let stack: ProcessStack;
before(async () => {
  redis = await startTestRedis();
  stack = await ProcessStack.start({ redisUrl: redis.url, lifetimes: LIFETIMES });
});
after(async () => {
  await stack?.close();
  await redis?.close();
});

test("Redis loses its data: refreshes answer invalid_grant, sessions are reported lost and renewed by re-dispatch, no restart", async () => {
  const before: Record<string, string> = {};
  before.mayor = String((await stack.dispatch(MAYOR)).session_id);
  before["polecat-1"] = String((await stack.dispatch(polecat(1))).session_id);
  const pids = { mayor: await agentPid(stack, "mayor"), "polecat-1": await agentPid(stack, "polecat-1") };
  await waitForRotation(stack, "mayor", 0);

  await redis.flushAll(); // this test's own instance only
  const flushedAt = Date.now();

  for (const id of IDS) {
    const view = await waitFor(async () => {
      const v = await stack.view(id);
      return Number(v.renewals) >= 1 ? v : undefined;
    }, 30_000, `${id} re-dispatched`);
    assert.equal((view.last_renewal as { reason: string }).reason, "lost", `${id}: renewed because the container reported the session lost`);
    assert.notEqual(view.session_id, before[id]);
    const status = await waitFor(async () => {
      const s = await stack.container(id);
      return (s.body.session as { session_id: string }).session_id === view.session_id ? s.body : undefined;
    }, 10_000, `${id} using the pushed session`);
    assert.equal(status.pid, pids[id as keyof typeof pids], `${id} was not restarted`);
    assert.equal((status.session as { lost: boolean }).lost, false);
  }
  const lostLines = stack.supervisor.logs().filter((l) => l.msg === "session lost; waiting for a fresh pair");
  assert.deepEqual(new Set(lostLines.map((l) => l.agentId)), new Set(IDS), "each agent's session was reported lost");
  assert.ok(lostLines.every((l) => l.code === "invalid_grant"), "the refreshes answered invalid_grant");

  // The new sessions refresh normally and the agents' later callbacks succeed, same processes.
  await waitForRotation(stack, "mayor", 0);
  const since = Date.now();
  for (const id of IDS) await waitFor(() => sentCalls(stack.recordDir, id).filter((c) => c.at > since).length >= 5, 20_000, `${id} calling`);
  for (const id of IDS) {
    const later = sentCalls(stack.recordDir, id).filter((c) => c.at > since);
    assert.deepEqual(later.filter((c) => !c.ok), [], `${id}: later callbacks succeed`);
    assert.deepEqual([...new Set(sentCalls(stack.recordDir, id).map((c) => c.pid))], [pids[id as keyof typeof pids]], `${id}: one process`);
  }
  assert.ok(since > flushedAt);
});
