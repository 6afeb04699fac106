import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { DEFAULT_CONTAINER_CLIENT_ID } from "@gastown/token-policy";
import { MAYOR, sentCalls, TOWN } from "../harness/agents.js";
import { waitForRenewal, waitForSessionInUse } from "../harness/checks.js";
import { dispatchAgents, type ProxiedFaultStack, startFaultStack } from "../harness/fault-stack.js";

const LIFETIMES = { accessTokenTtl: 3, refreshIdleTtl: 120, sessionMaxTtl: 600, refreshGrace: 2, clockTolerance: 2 };

let faults: ProxiedFaultStack;
before(async () => (faults = await startFaultStack({ lifetimes: LIFETIMES, proxy: true })));
after(() => faults?.close());

async function heartbeatWith(accessToken: string): Promise<number> {
  const res = await fetch(`${faults.stack.workerUrl}/api/towns/${TOWN}/agents/mayor/heartbeat`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ probe: true }),
  });
  await res.body?.cancel();
  return res.status;
}

test("a stolen refresh token replayed after the agent rotated: session revoked, refused within 1 s, re-dispatched and pushed, same PID", async () => {
  const { stack, proxy } = faults;
  const [{ sessionId: session, pid }] = await dispatchAgents(stack, [MAYOR]);
  // The attacker copies a refresh token off the wire; the agent then rotates twice more.
  const first = await waitFor(() => proxy.refreshes(session)[0], 20_000, "a refresh on the wire");
  const stolen = first.response.refresh_token!;
  await waitFor(() => proxy.refreshes(session).length >= 3, 20_000, "two more rotations");
  const current = proxy.refreshes(session).at(-1)!;
  const accessToken = current.response.access_token!;
  assert.equal(await heartbeatWith(accessToken), 202, "the agent's current access token works before the replay");

  const replay = await fetch(`${stack.authUrl}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: stolen, client_id: DEFAULT_CONTAINER_CLIENT_ID }),
  });
  const answeredAt = Date.now();
  assert.equal(replay.status, 400);
  assert.equal(((await replay.json()) as { error: string }).error, "invalid_grant");

  // Invariant 4: the worker refuses the session's access tokens within 1 s of that answer.
  const refusedAt = await waitFor(async () => ((await heartbeatWith(accessToken)) === 401 ? Date.now() : undefined), 5_000, "the access token refused", 10);
  assert.ok(refusedAt - answeredAt <= 1_000, `refused ${refusedAt - answeredAt} ms after the revocation answer`);
  const revoked = await stack.session(session);
  assert.deepEqual([revoked?.state, revoked?.revoke_reason], ["revoked", "reuse_detected"]);

  // The worker re-dispatches and pushes a new session into the running agent.
  const view = await waitForRenewal(stack, "mayor", 20_000);
  assert.equal((view.last_renewal as { reason: string }).reason, "reuse_detected");
  const fresh = String(view.session_id);
  assert.notEqual(fresh, session);
  const status = await waitForSessionInUse(stack, "mayor", fresh);
  assert.equal(status.pid, pid, "the agent kept running: same PID");
  assert.equal(status.state, "running");

  // Its later callbacks succeed, on the new session, from the same process.
  const pushedAt = Date.now();
  await waitFor(() => sentCalls(stack.recordDir, "mayor").filter((c) => c.at > pushedAt).length >= 8, 20_000, "later callbacks");
  const later = sentCalls(stack.recordDir, "mayor").filter((c) => c.at > pushedAt);
  assert.deepEqual(later.filter((c) => !c.ok), [], "every later callback succeeded");
  assert.ok(later.every((c) => c.pid === pid));
  await waitFor(async () => (await stack.session(fresh))?.generation as number >= 1, 20_000, "the new session refreshing");
  await waitFor(() => proxy.refreshes(fresh).length >= 1, 10_000, "the container refreshing the pushed session through the proxy");
});
