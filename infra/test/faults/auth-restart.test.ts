import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MAYOR, polecat } from "../harness/agents.js";
import { activeSession, agentPid, assertEveryCallbackStored, sleep, waitForRotation } from "../harness/checks.js";
import { startTestRedis, type TestRedis } from "../harness/redis.js";
import { ProcessStack } from "../harness/stack.js";

// Refresh at 7-8 s of a 10 s token (counted from the rotation seen); the outage (kill at
// 6.3 s, 2 s down, then the start-up) covers that point, and the retries (1 s, then 1-2 s,
// 1-4 s) land inside the token's remaining life plus the tolerance (>= 14 s).
const LIFETIMES = { accessTokenTtl: 10, refreshIdleTtl: 120, sessionMaxTtl: 600, refreshGrace: 5, clockTolerance: 5 };
const AGENTS = [MAYOR, polecat(1)];

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

test("auth-service killed and restarted (with Redis): zero failed callbacks, same sessions, refreshes resume", async () => {
  const dispatched: Record<string, string> = {};
  for (const agent of AGENTS) dispatched[agent.agent_id] = String((await stack.dispatch(agent)).session_id);
  const pids = { mayor: await agentPid(stack, "mayor"), polecat: await agentPid(stack, "polecat-1") };

  const rotated = await waitForRotation(stack, "mayor", 0);
  const polecatBefore = (await activeSession(stack, "polecat-1"))?.generation ?? 0;
  // Just before the Mayor's next refresh point (7-8 s after this rotation): kill, stay down, restart.
  await sleep(Math.max(0, rotated.seenAt + 6_300 - Date.now()));
  await stack.auth.stop("SIGKILL");
  await sleep(2_000);
  await stack.auth.start();
  const restartedAt = Date.now();

  const mayorAfter = await waitForRotation(stack, "mayor", rotated.generation + 1);
  await waitForRotation(stack, "polecat-1", polecatBefore);
  assert.ok(Date.now() > restartedAt);
  assert.equal(mayorAfter.session_id, dispatched.mayor, "the Mayor kept its session: no re-dispatch");
  assert.ok(stack.supervisor.lines.some((l) => l.includes("refresh failed; retrying")), "a refresh failed while the auth-service was down, and was retried");

  for (const id of ["mayor", "polecat-1"]) {
    const view = await stack.view(id);
    assert.equal(view.renewals, 0, `${id}: no re-dispatch was needed`);
    const status = await stack.container(id);
    assert.equal((status.body.session as { lost: boolean }).lost, false);
  }
  assert.equal(await agentPid(stack, "mayor"), pids.mayor);
  assert.equal(await agentPid(stack, "polecat-1"), pids.polecat);
  const figures = await assertEveryCallbackStored(stack, ["mayor", "polecat-1"]);
  for (const [id, f] of Object.entries(figures)) assert.equal(f.pids.length, 1, `${id}: one process throughout`);
});
