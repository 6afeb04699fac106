import { isFinalRevocation, RENEWABLE_REASONS, type RevocationReason } from "@gastown/token-policy";
import type { AgentRecordData, RenewalReason } from "./agent-record.js";
import type { DispatchDeps } from "./deps.js";
import type { HeldAgent } from "./held-agent.js";
import { backOff, renewSession } from "./renewal.js";
import type { ContainerAgentStatus } from "./types.js";

/** What the container says of the agent: its status, undefined when it does not know it (404), "unreachable" when it did not answer. */
export type ContainerWord = ContainerAgentStatus | undefined | "unreachable";

export async function askContainer(agentId: string, deps: DispatchDeps): Promise<ContainerWord> {
  try {
    return await deps.container.status(agentId);
  } catch {
    return "unreachable";
  }
}

/** Stops the agent in the container (best effort) and records why. */
export async function stopAgent(agent: AgentRecordData, reason: string, deps: DispatchDeps, key: string): Promise<void> {
  if (agent.state !== "running") return;
  agent.state = "stopped";
  agent.stopReason = reason;
  try {
    await deps.container.stop(agent.identity.agent_id);
  } catch (error) {
    deps.log.warn({ agent: key, err: (error as Error).message }, "could not stop agent in the container");
  }
  deps.log.info({ agent: key, reason }, "agent stopped");
}

/**
 * DESIGN.md "Revocation reasons": `admin` and `client` are final, but stop the agent only
 * when the revoked session is the one it holds now (the container's `GET /agents/:id`
 * says which); an agent the container no longer knows is marked stopped (never restarted
 * with that session). Answers true when the agent was stopped.
 */
export async function stopIfHeld(agent: AgentRecordData, sessionId: string, reason: RevocationReason, word: ContainerWord, deps: DispatchDeps, key: string): Promise<boolean> {
  const stopReason = `revoked: ${reason}`;
  if (word === undefined || (word !== "unreachable" && (word.state === "stopped" || word.state === "exited"))) {
    agent.state = "stopped";
    agent.stopReason = stopReason;
    return true;
  }
  if (word === "unreachable") return false;
  if (word.session?.session_id !== sessionId) {
    deps.log.info({ agent: key, session: sessionId, holds: word.session?.session_id ?? null, reason }, "revoked session is not the one the agent holds; not stopped");
    return false;
  }
  deps.log.warn({ agent: key, session: sessionId, reason }, "session revoked for good; stopping the agent");
  await stopAgent(agent, stopReason, deps, key);
  return true;
}

/**
 * Acts on a revocation message of the agent's current session (this instance won the
 * claim, so no other acts on it): renewable reasons renew at once, admin/client stop the
 * agent when it holds that session.
 */
export async function actOnRevocation(held: HeldAgent, sessionId: string, reason: RevocationReason, deps: DispatchDeps): Promise<void> {
  const agent = held.data!;
  if (agent.state !== "running" || agent.session.sessionId !== sessionId) {
    held.handledRevocationOf = sessionId;
    return;
  }
  if (RENEWABLE_REASONS.includes(reason)) {
    held.handledRevocationOf = sessionId;
    // Kept until a renewal succeeds: a failed one is retried after the backoff, whatever the container says then.
    agent.renewPending = reason as RenewalReason;
    deps.log.info({ agent: held.key, session: sessionId, reason }, "session revoked; renewing");
    await renewSession(held, reason as RenewalReason, deps).catch(() => {});
    return;
  }
  if (!isFinalRevocation(reason)) {
    held.handledRevocationOf = sessionId;
    return;
  }
  const word = await askContainer(agent.identity.agent_id, deps);
  if (word === "unreachable") {
    backOff(agent, deps);
    deps.log.warn({ agent: held.key, session: sessionId }, "container unreachable; the revocation is acted on after a retry");
    return;
  }
  held.handledRevocationOf = sessionId;
  await stopIfHeld(agent, sessionId, reason, word, deps, held.key);
}

/**
 * Before a fresh dispatch replaces a session (missed messages): a final revocation of it
 * stops the agent instead (when it holds that session), and a reason that cannot be read
 * yet postpones the renewal. Answers true when a fresh dispatch may go ahead.
 */
export async function mayReplaceSession(held: HeldAgent, word: ContainerWord, deps: DispatchDeps): Promise<boolean> {
  const agent = held.data!;
  const sessionId = agent.session.sessionId;
  let reason: RevocationReason | undefined;
  try {
    reason = await deps.revocationReason?.(sessionId);
  } catch (error) {
    backOff(agent, deps);
    deps.log.warn({ agent: held.key, session: sessionId, err: (error as Error).message }, "revocation reason unavailable; renewal postponed");
    return false;
  }
  if (reason === undefined || !isFinalRevocation(reason)) return true;
  if (word === "unreachable") {
    backOff(agent, deps);
    return false;
  }
  return !(await stopIfHeld(agent, sessionId, reason, word, deps, held.key));
}
