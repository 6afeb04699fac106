import { idleEndAfter, sessionAbsoluteEnd, type TokenPolicy, unixSeconds } from "@gastown/token-policy";
import type { AgentRecordData, DispatchedSession } from "./agent-record.js";
import { absoluteRenewAtMs, idleRenewAtMs } from "./schedule.js";

/** When the agent's session must be replaced: the earlier of its absolute and idle renewal points. */
export function renewAtMs(agent: AgentRecordData, policy: TokenPolicy): number {
  return Math.min(absoluteRenewAtMs(agent.session.dispatchedAtMs, policy), idleRenewAtMs(agent.lastRefreshAtMs, policy));
}

/** The earliest moment a session can end on its own (absolute or idle end), as the worker can tell. */
export function sessionEndMs(session: DispatchedSession, lastRefreshAtMs: number, policy: TokenPolicy): number {
  const absoluteEnd = sessionAbsoluteEnd(unixSeconds(session.dispatchedAtMs), policy);
  return Math.min(absoluteEnd, idleEndAfter(unixSeconds(lastRefreshAtMs), policy)) * 1000;
}

/**
 * DESIGN.md "Revocation reasons": a superseded session is revoked a few seconds after the
 * swap was confirmed (calls in flight with its last access token still succeed), and
 * always before its own end, however short the lifetimes: at the latest halfway between
 * now and that end. The renewal happens at least the policy's renewal margin (never under
 * the one-second refresh floor) before the end, so half of what is left is still ahead.
 */
export function supersededRevokeAtMs(old: DispatchedSession, oldLastRefreshAtMs: number, nowMs: number, policy: TokenPolicy, inFlightMs: number): number {
  const left = Math.max(0, sessionEndMs(old, oldLastRefreshAtMs, policy) - nowMs);
  return nowMs + Math.min(inFlightMs, Math.floor(left / 2));
}

/**
 * When an instance must next look at the agent (its due time in the state store): the
 * renewal point, the next reconcile check, a retry after a failure, or a superseded
 * session to revoke; null when nothing is left to do (stopped, nothing to revoke).
 */
export function nextDueMs(agent: AgentRecordData, policy: TokenPolicy, reconcileIntervalMs: number): number | null {
  const times = agent.retiring.map((r) => r.revokeAtMs);
  if (agent.state === "running") {
    if (agent.retryAtMs !== null) times.push(agent.retryAtMs);
    else times.push(renewAtMs(agent, policy), agent.checkedAtMs + reconcileIntervalMs);
  }
  return times.length === 0 ? null : Math.min(...times);
}
