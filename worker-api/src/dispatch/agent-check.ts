import { newAgentRecord } from "./agent-record.js";
import { type DispatchDeps, sessionIndexUntilMs } from "./deps.js";
import { nextDueMs, renewAtMs } from "./due.js";
import type { HeldAgent } from "./held-agent.js";
import { checkSessionHealth } from "./reconcile.js";
import { backOff, renewSession, retire, revokeRetired } from "./renewal.js";
import { actOnRevocation, askContainer, mayReplaceSession } from "./revocation-check.js";

/**
 * A fresh session written as `pending` by an instance that did not finish (it was killed
 * between the dispatch and the record update): adopted when the container uses it,
 * revoked otherwise. Either way no session is left behind.
 */
async function settlePending(held: HeldAgent, deps: DispatchDeps): Promise<void> {
  const agent = held.data!;
  const pending = agent.pending;
  if (!pending) return;
  agent.pending = null;
  const word = await askContainer(agent.identity.agent_id, deps);
  if (word !== "unreachable" && word?.session?.session_id === pending.sessionId) {
    retire(agent, agent.session.sessionId, deps.now());
    agent.session = pending;
    agent.lastRefreshAtMs = pending.dispatchedAtMs;
    agent.renewals += 1;
    agent.lastRenewal = { at: pending.dispatchedAtMs, reason: "session_mismatch", instance: deps.instanceId };
    deps.log.info({ agent: held.key, session: pending.sessionId }, "adopted the session an interrupted renewal pushed");
  } else {
    retire(agent, pending.sessionId, deps.now());
  }
}

/**
 * DESIGN.md failure semantics, "container restarts": the container no longer knows a
 * running agent, so a fresh session is dispatched and the agent started again; the old
 * session is revoked as superseded.
 */
async function redispatch(held: HeldAgent, deps: DispatchDeps): Promise<void> {
  const agent = held.data!;
  deps.log.warn({ agent: held.key, session: agent.session.sessionId }, "agent unknown to the container (restarted?); dispatching a fresh session");
  const dispatchedAtMs = deps.now();
  try {
    const pair = await deps.auth.dispatch(agent.identity);
    await deps.store.indexSession(pair.session_id, agent.identity.town_id, agent.identity.agent_id, sessionIndexUntilMs(dispatchedAtMs, deps.policy));
    const { pid } = await deps.container.start({ ...agent.identity, tokens: pair });
    const fresh = newAgentRecord(agent.identity, { sessionId: pair.session_id, dispatchedAtMs }, pid, deps.now());
    held.data = { ...fresh, renewals: agent.renewals, lastRenewal: agent.lastRenewal, retiring: agent.retiring };
    retire(held.data, agent.session.sessionId, deps.now());
  } catch (error) {
    backOff(agent, deps);
    deps.log.warn({ agent: held.key, err: (error as Error).message }, "fresh dispatch after a container restart failed; retrying");
  }
}

/** The health check at the renewal point, at each reconcile interval, or after a retry delay. */
async function checkHealth(held: HeldAgent, deps: DispatchDeps): Promise<void> {
  const agent = held.data!;
  agent.retryAtMs = null;
  const verdict = await checkSessionHealth(agent, deps);
  agent.checkedAtMs = deps.now();
  if (verdict.kind === "gone") {
    agent.state = verdict.state;
    return;
  }
  if (verdict.kind === "missing") {
    if (await mayReplaceSession(held, undefined, deps)) await redispatch(held, deps);
    return;
  }
  const reason = agent.renewPending ?? (verdict.kind === "renew" ? verdict.reason : undefined);
  if (reason && (await mayReplaceSession(held, verdict.kind === "renew" ? (verdict.status ?? "unreachable") : await askContainer(agent.identity.agent_id, deps), deps))) {
    await renewSession(held, reason, deps).catch(() => {});
  }
}

/**
 * Works on one agent this instance claimed because it was due: finishes an interrupted
 * renewal, revokes retired sessions whose time came, acts on a revocation message, checks
 * the session's health when its renewal point, reconcile interval or retry came; then
 * releases the claim with the agent's next due time. `force`: check the health now.
 */
export async function checkClaimedAgent(held: HeldAgent, deps: DispatchDeps, reconcileIntervalMs: number, force = false): Promise<void> {
  const agent = held.data;
  if (!agent) {
    await held.release(null);
    return;
  }
  try {
    if (agent.state === "running") await settlePending(held, deps);
    const now = deps.now();
    const pending = held.pendingRevocation;
    if (pending && agent.state === "running") {
      await actOnRevocation(held, pending.sessionId, pending.reason, deps);
    } else if (agent.state === "running") {
      const checkDue = agent.retryAtMs !== null ? now >= agent.retryAtMs : now >= renewAtMs(agent, deps.policy) || now >= agent.checkedAtMs + reconcileIntervalMs;
      if (checkDue || force) await checkHealth(held, deps);
    }
    await revokeRetired(held.data!, deps, held.key);
  } finally {
    await held.release(nextDueMs(held.data!, deps.policy, reconcileIntervalMs));
  }
}
