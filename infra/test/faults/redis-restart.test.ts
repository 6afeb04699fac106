import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { MAYOR, polecat } from "../harness/agents.js";
import { activeSession, agentPid, assertEveryCallbackStored, sleep, waitForRotation } from "../harness/checks.js";
import { dispatchAgents, type ProxiedFaultStack, startFaultStack } from "../harness/fault-stack.js";

// Refresh at 7-8 s of a 10 s token. Redis goes down at 6.3 s after a rotation and stays
// down until a refresh has been attempted (seen at the proxy) plus 0.5 s: at most ~2.5 s,
// well within the token's remaining life (>= 9 s, plus the 5 s tolerance).
const LIFETIMES = { accessTokenTtl: 10, refreshIdleTtl: 120, sessionMaxTtl: 600, refreshGrace: 5, clockTolerance: 5 };

let faults: ProxiedFaultStack;
before(async () => (faults = await startFaultStack({ lifetimes: LIFETIMES, proxy: true })));
after(() => faults?.close());

test("Redis stopped and restarted within the access token's remaining life: zero failed callbacks, refreshes resume", async () => {
  const { redis, stack, proxy } = faults;
  const [mayor, polecat1] = await dispatchAgents(stack, [MAYOR, polecat(1)]);

  const rotated = await waitForRotation(stack, "mayor", 0);
  const polecatBefore = (await activeSession(stack, "polecat-1"))?.generation ?? 0;
  await sleep(Math.max(0, rotated.seenAt + 6_300 - Date.now()));
  await redis.kill();
  const downAt = Date.now();
  await waitFor(() => proxy.requests.some((r) => r.at > downAt && r.grantType === "refresh_token"), 10_000, "a refresh attempt while Redis is down");
  await sleep(500);
  const restartingAt = Date.now();
  await redis.restart();
  const upAt = Date.now();

  // The refresh attempted during the outage either failed (server_error, then retried) or
  // waited for Redis; either way the session goes on.
  const during = await waitFor(() => proxy.exchanges.find((e) => e.startedAt > downAt && e.startedAt < upAt && e.grantType === "refresh_token"), 15_000, "the answer to that refresh");
  if (during.status === 200) {
    assert.ok(during.at >= restartingAt, "answered only once Redis was back");
  } else {
    assert.ok(during.status >= 500, `refused as a server error (${during.status}), not as invalid_grant`);
    await waitFor(() => stack.supervisor.lines.some((l) => l.includes("refresh failed; retrying")), 10_000, "the failed refresh retried");
  }
  const mayorAfter = await waitForRotation(stack, "mayor", rotated.generation + 1);
  await waitForRotation(stack, "polecat-1", polecatBefore);
  assert.equal(mayorAfter.session_id, mayor.sessionId, "the Mayor kept its session (the data survived the restart)");
  for (const id of ["mayor", "polecat-1"]) {
    assert.equal((await stack.view(id)).renewals, 0, `${id}: no re-dispatch was needed`);
    assert.equal(((await stack.container(id)).body.session as { lost: boolean }).lost, false, `${id}: session not lost`);
  }
  assert.equal(await agentPid(stack, "mayor"), mayor.pid);
  assert.equal(await agentPid(stack, "polecat-1"), polecat1.pid);
  await assertEveryCallbackStored(stack, ["mayor", "polecat-1"]);
});
