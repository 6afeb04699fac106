import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { MAYOR, polecat } from "../harness/agents.js";
import { agentPid, assertEveryCallbackStored, waitForRotation } from "../harness/checks.js";
import { dispatchAgents, type ProxiedFaultStack, startFaultStack } from "../harness/fault-stack.js";

// The retry after a network failure comes 1 s later: well inside the 5 s grace window.
const LIFETIMES = { accessTokenTtl: 4, refreshIdleTtl: 120, sessionMaxTtl: 600, refreshGrace: 5, clockTolerance: 2 };

let faults: ProxiedFaultStack;
before(async () => (faults = await startFaultStack({ lifetimes: LIFETIMES, proxy: true })));
after(() => faults?.close());

test("a refresh response lost on the way back: the retry gets the same successor inside the grace window; no 401, no lost session", async () => {
  const { stack, proxy } = faults;
  const [{ sessionId: session, pid }] = await dispatchAgents(stack, [MAYOR, polecat(1)]);
  await waitFor(() => proxy.refreshes(session).length >= 1, 20_000, "a first refresh through the proxy");

  proxy.dropWhen = (e) => e.grantType === "refresh_token" && e.status === 200 && e.response.session_id === session;
  const dropped = await waitFor(() => proxy.exchanges.find((e) => e.dropped), 20_000, "a dropped refresh response");
  assert.ok(dropped.response.refresh_token?.startsWith("gtr_"), "the auth-service did rotate before the response was lost");

  // The container never saw that answer: it retries with the same refresh token.
  const retry = await waitFor(() => proxy.exchanges.find((e) => !e.dropped && e.at > dropped.at && e.sentRefreshToken === dropped.sentRefreshToken), 20_000, "the retry");
  assert.equal(retry.status, 200, `the retry succeeded: ${JSON.stringify(retry.response.error)}`);
  assert.ok(retry.at - dropped.at < LIFETIMES.refreshGrace * 1000, "the retry came inside the grace window");
  assert.equal(retry.response.refresh_token, dropped.response.refresh_token, "the same successor refresh token: no fork");
  assert.notEqual(retry.response.access_token, dropped.response.access_token, "with a fresh access token");
  assert.equal(retry.response.session_id, session);

  // The family goes on from that successor.
  const generation = (await waitForRotation(stack, "mayor", 0)).generation;
  const next = await waitForRotation(stack, "mayor", generation + 1);
  assert.equal(next.session_id, session, "same session: not lost, not re-dispatched");
  await waitFor(() => proxy.exchanges.some((e) => e.sentRefreshToken === dropped.response.refresh_token && e.status === 200), 10_000, "the successor used for the next refresh");
  assert.deepEqual(proxy.exchanges.filter((e) => e.status !== 200 && !e.dropped), [], "no refresh was refused");
  assert.equal((await stack.view("mayor")).renewals, 0);
  assert.equal(((await stack.container("mayor")).body.session as { lost: boolean }).lost, false);
  assert.equal(await agentPid(stack, "mayor"), pid);
  await assertEveryCallbackStored(stack, ["mayor", "polecat-1"]);
});
