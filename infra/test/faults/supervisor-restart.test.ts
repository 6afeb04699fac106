import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { MAYOR, polecat, sentCalls } from "../harness/agents.js";
import { dispatchAgents, type FaultStack, startFaultStack } from "../harness/fault-stack.js";

// The worker checks each agent a margin (1 s) before its idle end: every ~7 s.
const LIFETIMES = { accessTokenTtl: 3, refreshIdleTtl: 8, sessionMaxTtl: 600, refreshGrace: 2, clockTolerance: 2 };
const IDS = ["mayor", "polecat-1"] as const;

let faults: FaultStack;
before(async () => (faults = await startFaultStack({ lifetimes: LIFETIMES })));
after(() => faults?.close());

test("container supervisor restarted: the worker dispatches fresh sessions for its agents", async () => {
  const { stack } = faults;
  const old = await dispatchAgents(stack, [MAYOR, polecat(1)]);
  assert.equal(await stack.supervisor.stop("SIGTERM"), 0, "the supervisor stopped cleanly");
  for (const { agentId: id, pid } of old) assert.throws(() => process.kill(pid, 0), `${id}'s process ended with its container`);
  await stack.supervisor.start();
  const restartedAt = Date.now();

  for (const { agentId: id, sessionId: oldSession, pid: oldPid } of old) {
    // The restarted container knows nothing (its refresh tokens were only in memory): the worker starts the agent again.
    // The container may answer "running" a moment before the worker records the session
    // it confirmed as current: wait until both say the same session.
    const { status, view } = await waitFor(async () => {
      const s = await stack.container(id);
      if (s.status !== 200 || s.body.state !== "running") return undefined;
      const v = await stack.view(id);
      return v.session_id === (s.body.session as { session_id: string }).session_id ? { status: s.body, view: v } : undefined;
    }, 30_000, `${id} dispatched into the restarted container`);
    assert.equal(view.state, "running");
    assert.notEqual(view.session_id, oldSession, `${id} got a fresh session`);
    assert.equal((status.session as { session_id: string }).session_id, view.session_id);
    assert.notEqual(status.pid, oldPid, "a new process in the new container");
    // The old session (its refresh token died with the container) is revoked: only the fresh one is live.
    await waitFor(async () => {
      const live = (await stack.sessions(id)).filter((x) => x.state === "active").map((x) => x.session_id);
      return live.length === 1 && live[0] === view.session_id;
    }, 10_000, `${id}: only the fresh session live`);
    const previous = await stack.session(oldSession);
    assert.ok(previous === undefined || (previous.state === "revoked" && previous.revoke_reason === "superseded"), JSON.stringify(previous));
  }
  // The fresh sessions work: callbacks after the restart succeed.
  for (const id of IDS) await waitFor(() => sentCalls(stack.recordDir, id).filter((c) => c.at > restartedAt).length >= 5, 20_000, `${id} calling again`);
  for (const id of IDS) {
    const later = sentCalls(stack.recordDir, id).filter((c) => c.at > restartedAt);
    assert.deepEqual(later.filter((c) => !c.ok), [], `${id}: callbacks with the fresh session succeed`);
  }
});
