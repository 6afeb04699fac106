import type { AgentIdentity } from "./types.js";

export type AgentRunState = "running" | "stopped" | "exited";

export type RenewalReason = "absolute_end" | "idle_end" | "lost" | "session_mismatch" | "reuse_detected" | "expired" | "message";

/** A session the worker dispatched, known by its id only (the worker keeps no token: it revokes by id). */
export interface DispatchedSession {
  sessionId: string;
  /** Epoch ms taken just before the dispatch request: the session cannot have started earlier. */
  dispatchedAtMs: number;
}

/** A replaced session waiting for its `superseded` revocation. */
export interface RetiringSession {
  sessionId: string;
  revokeAtMs: number;
}

/**
 * What the worker knows of one agent, as the state store keeps it (DESIGN.md "worker-api
 * state"). Plain JSON: any instance reads it and carries on where another stopped.
 */
export interface AgentRecordData {
  identity: AgentIdentity;
  state: AgentRunState;
  session: DispatchedSession;
  /**
   * A fresh session obtained but not yet confirmed in the agent (written before the push):
   * an instance that takes over after a crash adopts it when the container uses it, and
   * revokes it otherwise, so no session is ever left behind.
   */
  pending: DispatchedSession | null;
  pid: number | null;
  renewals: number;
  lastRenewal: { at: number; reason: RenewalReason; instance: string } | null;
  renewFailures: number;
  /** Last refresh the container reported (epoch ms), else the dispatch time. */
  lastRefreshAtMs: number;
  /** When the container was last asked about the agent (the reconcile interval runs from here). */
  checkedAtMs: number;
  /** Set after a failure: no renewal or check before this time (backoff). */
  retryAtMs: number | null;
  /**
   * A renewal that must happen whatever the container says (the current session was
   * revoked as reuse_detected or expired), kept until a renewal succeeds; absent in
   * records written before it existed.
   */
  renewPending?: RenewalReason | null;
  stopReason: string | null;
  retiring: RetiringSession[];
}

/** What the operator API answers for an agent (never a token). */
export interface ManagedAgentView {
  agent_id: string;
  town_id: string;
  rig_id: string | null;
  user_id: string;
  role: string;
  state: AgentRunState;
  session_id: string;
  session_dispatched_at: number;
  pid: number | null;
  renewals: number;
  last_renewal: { at: number; reason: RenewalReason; instance: string } | null;
  stop_reason: string | null;
}

export function newAgentRecord(identity: AgentIdentity, session: DispatchedSession, pid: number | null, nowMs: number): AgentRecordData {
  return {
    identity: { ...identity },
    state: "running",
    session,
    pending: null,
    pid,
    renewals: 0,
    lastRenewal: null,
    renewFailures: 0,
    lastRefreshAtMs: session.dispatchedAtMs,
    checkedAtMs: nowMs,
    retryAtMs: null,
    renewPending: null,
    stopReason: null,
    retiring: [],
  };
}

export function viewOf(agent: AgentRecordData): ManagedAgentView {
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
