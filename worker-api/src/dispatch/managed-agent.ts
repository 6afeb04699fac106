import type { AgentIdentity } from "./types.js";

/** A session this worker dispatched. The refresh token is not kept (it went to the container). */
export interface DispatchedSession {
  sessionId: string;
  /** Epoch ms taken just before the dispatch request: the session cannot have started earlier. */
  dispatchedAtMs: number;
  /** The first access token of the dispatch: what revokes the session later (RFC 7009). */
  firstAccessToken: string;
}

export type ManagedAgentState = "running" | "stopped" | "exited";

export type RenewalReason = "absolute_end" | "idle_end" | "lost" | "session_mismatch" | "reuse_detected" | "expired" | "message";

export interface ManagedAgent {
  identity: AgentIdentity;
  state: ManagedAgentState;
  session: DispatchedSession;
  pid: number | null;
  renewals: number;
  lastRenewal: { at: number; reason: RenewalReason } | null;
  renewFailures: number;
  /** Last refresh the container reported (epoch ms), else the dispatch time. */
  lastRefreshAtMs: number;
  timer: NodeJS.Timeout | undefined;
  renewing: Promise<void> | undefined;
  stopReason: string | null;
}

/** What the operator API answers for an agent (never a token). */
export interface ManagedAgentView {
  agent_id: string;
  town_id: string;
  rig_id: string | null;
  user_id: string;
  role: string;
  state: ManagedAgentState;
  session_id: string;
  session_dispatched_at: number;
  pid: number | null;
  renewals: number;
  last_renewal: { at: number; reason: RenewalReason } | null;
  stop_reason: string | null;
}

export function viewOf(agent: ManagedAgent): ManagedAgentView {
  return {
    agent_id: agent.identity.agent_id,
    town_id: agent.identity.town_id,
    rig_id: agent.identity.rig_id ?? null,
    user_id: agent.identity.user_id,
    role: agent.identity.role,
    state: agent.state,
    session_id: agent.session.sessionId,
    session_dispatched_at: agent.session.dispatchedAtMs,
    pid: agent.pid,
    renewals: agent.renewals,
    last_renewal: agent.lastRenewal,
    stop_reason: agent.stopReason,
  };
}
