import assert from "node:assert/strict";
import { waitFor } from "@gastown/testkit";
import { STORED_KIND, sentCalls, tally } from "./agents.js";
import type { ProcessStack } from "./stack.js";

/** The agent's current session as the auth-service reads it (the newest active one). */
export async function activeSession(stack: ProcessStack, agentId: string): Promise<{ session_id: string; generation: number } | undefined> {
  const sessions = await stack.sessions(agentId);
  const active = sessions.filter((s) => s.state === "active").sort((a, b) => Number(b.created_at) - Number(a.created_at));
  const session = active[0];
  return session ? { session_id: String(session.session_id), generation: Number(session.generation) } : undefined;
}

/**
 * Waits until the agent's session has rotated past `generation` (polling every 100 ms, so
 * the answer's time is within ~0.1 s of the rotation). Answers the new generation.
 */
export async function waitForRotation(stack: ProcessStack, agentId: string, generation: number, timeoutMs = 30_000): Promise<{ session_id: string; generation: number; seenAt: number }> {
  const session = await waitFor(async () => {
    const current = await activeSession(stack, agentId);
    return current && current.generation > generation ? current : undefined;
  }, timeoutMs, `${agentId} to refresh past generation ${generation}`, 100);
  return { ...session, seenAt: Date.now() };
}

/** The container's pid of the agent (it is running). */
export async function agentPid(stack: ProcessStack, agentId: string): Promise<number> {
  return waitFor(async () => {
    const res = await stack.container(agentId);
    return res.status === 200 && res.body.state === "running" ? Number(res.body.pid) : undefined;
  }, 20_000, `${agentId} running in the container`);
}

/** Waits until the worker has re-dispatched the agent (renewals >= 1); answers the worker's view. */
export async function waitForRenewal(stack: ProcessStack, agentId: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const view = await stack.view(agentId);
    return Number(view.renewals) >= 1 ? view : undefined;
  }, timeoutMs, `${agentId} re-dispatched`);
}

/** Waits until the container uses `sessionId` for the agent (a pushed pair); answers the container's status. */
export async function waitForSessionInUse(stack: ProcessStack, agentId: string, sessionId: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const status = await stack.container(agentId);
    return (status.body.session as { session_id: string }).session_id === sessionId ? status.body : undefined;
  }, timeoutMs, `${agentId} using the pushed session ${sessionId}`);
}

export interface StoredCheck {
  sent: number;
  failed: number;
  pids: number[];
}

/**
 * Stops the agents (each finishes its call in flight), then checks that no callback
 * failed and that the worker stored exactly what each agent sent (heartbeats: at least,
 * since the supervisor sends its own too), and that no callback of the supervisor failed
 * (in `supervisorLines`, default all its output).
 */
export async function assertEveryCallbackStored(stack: ProcessStack, agentIds: string[], supervisorLines?: readonly string[]): Promise<Record<string, StoredCheck>> {
  for (const id of agentIds) await stack.stopAgent(id);
  const result: Record<string, StoredCheck> = {};
  for (const id of agentIds) {
    const t = tally(sentCalls(stack.recordDir, id));
    const stored = await stack.storedCounts(id);
    assert.ok(t.sent > 0, `${id} sent callbacks`);
    assert.deepEqual(t.failed, [], `no failed callback of ${id}`);
    for (const kind of ["tool", "events", "completed"] as const) {
      assert.equal(stored[STORED_KIND[kind]], t.okByKind[kind], `${id}: every ${kind} callback stored by the worker-api`);
    }
    assert.ok((stored.heartbeat ?? 0) >= t.okByKind.heartbeat, `${id}: every heartbeat stored`);
    result[id] = { sent: t.sent, failed: t.failed.length, pids: [...t.pids] };
  }
  assert.deepEqual(stack.supervisorCallbackFailures(supervisorLines), [], "no callback of the supervisor failed");
  return result;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
