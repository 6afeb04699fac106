import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { MAYOR, polecat } from "../harness/agents.js";
import { activeSession, agentPid, assertEveryCallbackStored, sleep, waitForRotation } from "../harness/checks.js";
import { dispatchAgents, type ProxiedFaultStack, startFaultStack } from "../harness/fault-stack.js";

// Refresh at 7-8 s of a 10 s token. The auth-service is killed at 6.3 s after a rotation
// and restarted once a refresh has been attempted (seen at the proxy) plus 0.5 s; the
// retries (1 s, then 1-2 s, 1-4 s) land inside the token's remaining life plus the 5 s tolerance.
const LIFETIMES = { accessTokenTtl: 10, refreshIdleTtl: 120, sessionMaxTtl: 600, refreshGrace: 5, clockTolerance: 5 };

let faults: ProxiedFaultStack;
before(async () => (faults = await startFaultStack({ lifetimes: LIFETIMES, proxy: true })));
after(() => faults?.close());

test("auth-service killed and restarted (with Redis): zero failed callbacks, same sessions, refreshes resume", async () => {
  const { stack, proxy } = faults;
  const [mayor, polecat1] = await dispatchAgents(stack, [MAYOR, polecat(1)]);

  const rotated = await waitForRotation(stack, "mayor", 0);
  const polecatBefore = (await activeSession(stack, "polecat-1"))?.generation ?? 0;
  await sleep(Math.max(0, rotated.seenAt + 6_300 - Date.now()));
  await stack.auth.stop("SIGKILL");
  const downAt = Date.now();
  await waitFor(() => proxy.requests.some((r) => r.at > downAt && r.grantType === "refresh_token"), 10_000, "a refresh attempt while the auth-service is down");
  await sleep(500);
  await stack.auth.start();

  const unreachable = proxy.exchanges.filter((e) => e.startedAt > downAt && e.status === 0);
  assert.ok(unreachable.length >= 1, "a refresh found the auth-service unreachable");
  const mayorAfter = await waitForRotation(stack, "mayor", rotated.generation + 1);
  await waitForRotation(stack, "polecat-1", polecatBefore);
  assert.equal(mayorAfter.session_id, mayor.sessionId, "the Mayor kept its session: no re-dispatch");
  await waitFor(() => stack.supervisor.lines.some((l) => l.includes("refresh failed; retrying")), 10_000, "the failed refresh retried");

  for (const id of ["mayor", "polecat-1"]) {
    assert.equal((await stack.view(id)).renewals, 0, `${id}: no re-dispatch was needed`);
    assert.equal(((await stack.container(id)).body.session as { lost: boolean }).lost, false, `${id}: session not lost`);
  }
  assert.equal(await agentPid(stack, "mayor"), mayor.pid);
  assert.equal(await agentPid(stack, "polecat-1"), polecat1.pid);
  const figures = await assertEveryCallbackStored(stack, ["mayor", "polecat-1"]);
  for (const [id, f] of Object.entries(figures)) assert.equal(f.pids.length, 1, `${id}: one process throughout`);
});
