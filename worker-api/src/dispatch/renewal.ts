import { retryDelayMs } from "@gastown/token-policy";
import type { AgentRecordData, RenewalReason } from "./agent-record.js";
import { type DispatchDeps, sessionIndexUntilMs } from "./deps.js";
import { supersededRevokeAtMs } from "./due.js";
import type { HeldAgent } from "./held-agent.js";
import type { TokenPair } from "./types.js";

/** How a fresh pair reaches the agent: a token swap by default, or with a message. */
export type PushPair = (pair: TokenPair) => Promise<void>;

/** A session is retired: revoked as superseded at `revokeAtMs` (by whichever instance holds the agent then). */
export function retire(agent: AgentRecordData, sessionId: string, revokeAtMs: number): void {
  if (!agent.retiring.some((r) => r.sessionId === sessionId)) agent.retiring.push({ sessionId, revokeAtMs });
}

/** After a failure: back off (policy) before the next attempt. */
export function backOff(agent: AgentRecordData, deps: DispatchDeps): number {
  agent.renewFailures += 1;
  const retryIn = retryDelayMs(agent.renewFailures, deps.policy, Math.random);
  agent.retryAtMs = deps.now() + retryIn;
  return retryIn;
}

/** The container confirms when its status shows the new session in use. */
async function confirmed(deps: DispatchDeps, agentId: string, sessionId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    try {
      const status = await deps.container.status(agentId);
      if (status?.session?.session_id === sessionId) return true;
    } catch {
      // retried below
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Replaces a held agent's session by a fresh dispatch pushed into the running agent (never
 * a restart). The new session is written as `pending` before the push, so an instance
 * that takes over after a crash finds it (adopts or revokes it). Once the container
 * confirms the new pair in use, the old session is retired (revoked as superseded a little
 * later, before its own end). Throws when the dispatch or push failed (a retry is due).
 */
export async function renewSession(held: HeldAgent, reason: RenewalReason, deps: DispatchDeps, push?: PushPair): Promise<void> {
  const agent = held.data!;
  const agentId = agent.identity.agent_id;
  const old = agent.session;
  const oldLastRefreshAtMs = agent.lastRefreshAtMs;
  const dispatchedAtMs = deps.now();
  let pair: TokenPair | undefined;
  try {
    pair = await deps.auth.dispatch(agent.identity);
    await deps.store.indexSession(pair.session_id, agent.identity.town_id, agentId, sessionIndexUntilMs(dispatchedAtMs, deps.policy));
    agent.pending = { sessionId: pair.session_id, dispatchedAtMs };
    await held.save();
    await (push ?? ((p: TokenPair) => deps.container.putTokens(agentId, p)))(pair);
  } catch (error) {
    const retryInMs = backOff(agent, deps);
    deps.log.warn({ agent: held.key, reason, err: (error as Error).message, retryInMs }, "session renewal failed");
    // A pair that never reached the agent is revoked now.
    if (pair !== undefined) retire(agent, pair.session_id, deps.now());
    agent.pending = null;
    throw error;
  }
  agent.pending = null;
  agent.session = { sessionId: pair.session_id, dispatchedAtMs };
  agent.lastRefreshAtMs = dispatchedAtMs;
  agent.renewals += 1;
  agent.renewFailures = 0;
  agent.retryAtMs = null;
  agent.renewPending = null;
  agent.checkedAtMs = deps.now();
  agent.lastRenewal = { at: dispatchedAtMs, reason, instance: deps.instanceId };
  await held.save();
  deps.log.info({ agent: held.key, reason, old_session: old.sessionId, session: pair.session_id, instance: deps.instanceId }, "session renewed without restart");
  if (await confirmed(deps, agentId, pair.session_id)) {
    retire(agent, old.sessionId, supersededRevokeAtMs(old, oldLastRefreshAtMs, deps.now(), deps.policy, deps.supersededRevokeDelayMs));
  } else {
    deps.log.warn({ agent: held.key, session: pair.session_id }, "container did not confirm the swap; old session left to expire");
  }
}

/** Revokes every retired session whose time has come; one that fails is tried again a second later. */
export async function revokeRetired(agent: AgentRecordData, deps: DispatchDeps, key: string): Promise<void> {
  const now = deps.now();
  for (const retiring of agent.retiring.filter((r) => r.revokeAtMs <= now)) {
    try {
      await deps.auth.revoke(retiring.sessionId, "superseded");
      agent.retiring = agent.retiring.filter((r) => r !== retiring);
      deps.log.info({ agent: key, session: retiring.sessionId }, "superseded session revoked");
    } catch (error) {
      retiring.revokeAtMs = deps.now() + 1_000;
      deps.log.warn({ agent: key, session: retiring.sessionId, err: (error as Error).message }, "could not revoke superseded session; retrying");
    }
  }
}
