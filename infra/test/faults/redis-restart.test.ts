import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MAYOR, polecat } from "../harness/agents.js";
import { activeSession, agentPid, assertEveryCallbackStored, sleep, waitForRotation } from "../harness/checks.js";
import { startTestRedis, type TestRedis } from "../harness/redis.js";
import { ProcessStack } from "../harness/stack.js";

// Refresh at 7-8 s of a 10 s token (counted from the rotation seen); Redis is down from
// 6.3 s for 2 s, across that point, well within the token's remaining life (plus tolerance).
const LIFETIMES = { accessTokenTtl: 10, refreshIdleTtl: 120, sessionMaxTtl: 600, refreshGrace: 5, clockTolerance: 5 };

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

test("Redis stopped and restarted within the access token's remaining life: zero failed callbacks, refreshes resume", async () => {
  const mayorSession = String((await stack.dispatch(MAYOR)).session_id);
  await stack.dispatch(polecat(1));
  const pids = { mayor: await agentPid(stack, "mayor"), polecat: await agentPid(stack, "polecat-1") };

  const rotated = await waitForRotation(stack, "mayor", 0);
  const polecatBefore = (await activeSession(stack, "polecat-1"))?.generation ?? 0;
  await sleep(Math.max(0, rotated.seenAt + 6_300 - Date.now()));
  await redis.stop();
  await sleep(2_000);
  await redis.start();

  const mayorAfter = await waitForRotation(stack, "mayor", rotated.generation + 1);
  await waitForRotation(stack, "polecat-1", polecatBefore);
  assert.equal(mayorAfter.session_id, mayorSession, "the Mayor kept its session (the data survived the restart)");
  assert.ok(stack.supervisor.lines.some((l) => l.includes("refresh failed; retrying")), "a refresh failed while Redis was down, and was retried");
  for (const id of ["mayor", "polecat-1"]) {
    assert.equal((await stack.view(id)).renewals, 0, `${id}: no re-dispatch was needed`);
    assert.equal(((await stack.container(id)).body.session as { lost: boolean }).lost, false, `${id}: session not lost`);
  }
  assert.equal(await agentPid(stack, "mayor"), pids.mayor);
  assert.equal(await agentPid(stack, "polecat-1"), pids.polecat);
  await assertEveryCallbackStored(stack, ["mayor", "polecat-1"]);
});
