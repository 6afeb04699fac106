import type { RevocationReason } from "@gastown/token-policy";
import type { AgentRecordData } from "../dispatch/agent-record.js";

/**
 * One claim on one agent: while it is held (its lease has not run out) no other instance
 * acts on that agent. `claimId` fences every write, so an instance whose lease ran out
 * (it stalled or was killed) can no longer change what the new holder writes.
 */
export interface AgentClaim {
  townId: string;
  agentId: string;
  claimId: string;
}

/** A revocation message of the agent's current session that no instance has acted on yet. */
export interface PendingRevocation {
  sessionId: string;
  reason: RevocationReason;
}

/** What the store answers for an agent: its record and any revocation waiting for an instance. */
export interface StoredAgent {
  data: AgentRecordData;
  pendingRevocation: PendingRevocation | null;
}

/** How a write ends: the claim is kept (its lease renewed) or released with the agent's next due time. */
export type WriteMode =
  | { keep: true; leaseMs: number }
  /** `nextDueMs` null: the agent needs no further check (stopped, nothing left to revoke). */
  | { keep: false; nextDueMs: number | null };

export interface AgentWrite {
  nowMs: number;
  /** The new record; undefined leaves the stored one as it is. */
  data?: AgentRecordData;
  mode: WriteMode;
  /** The revocation of this session was acted on: the pending entry (if it is this one) is cleared. */
  handledRevocationOf?: string;
}

/** The answer of `claim` when another instance holds the agent: try again after about `retryInMs`. */
export interface ClaimBusy {
  busy: true;
  retryInMs: number;
}

/**
 * Everything the dispatcher knows of its agents (DESIGN.md "worker-api state: restarts and
 * replicas"), shared by every worker-api instance: records (never a token), a due time per
 * agent, and claims with a lease. Timers only wake an instance; the due times here are the
 * source of truth. Every time is epoch ms from the caller's (injected) clock.
 *
 * Rules every implementation keeps (test/agent-state-contract.ts):
 * - `claimDue` takes agents whose due time has come, each by at most one caller; a taken
 *   agent's due time becomes the end of its lease, so it is due again if the holder dies;
 * - `claim` takes one agent at once (an operator call), unless a live claim holds it;
 * - `write` changes nothing unless the claim is still the agent's current one;
 * - `markRevoked` records a revocation of an agent's current session and makes it due
 *   now (or right after the holder releases it); any number of instances may call it.
 */
export interface AgentStateStore {
  readonly kind: "memory" | "redis";
  read(townId: string, agentId: string): Promise<StoredAgent | undefined>;
  claimDue(nowMs: number, leaseMs: number, limit: number): Promise<AgentClaim[]>;
  claim(townId: string, agentId: string, nowMs: number, leaseMs: number): Promise<AgentClaim | ClaimBusy>;
  /** False when the claim was lost (its lease ran out and another instance took the agent). */
  write(claim: AgentClaim, write: AgentWrite): Promise<boolean>;
  /** Remembers which agent a session belongs to, until `untilMs` (revocation messages name only the session). */
  indexSession(sessionId: string, townId: string, agentId: string, untilMs: number): Promise<void>;
  /** True when the session is the agent's current one and the revocation was recorded. */
  markRevoked(sessionId: string, reason: RevocationReason, nowMs: number): Promise<boolean>;
  /** True when the store holds no agent at all (a Redis that lost its data: instances restore what they know). */
  isEmpty(): Promise<boolean>;
  /** Puts back a record the store lost, unless it exists; the agent becomes due now. */
  restore(data: AgentRecordData, nowMs: number): Promise<boolean>;
  /** The earliest due time of any agent (undefined: none); an instance sleeps until then. */
  nextDueMs(): Promise<number | undefined>;
  close(): Promise<void>;
}

export function isBusy(answer: AgentClaim | ClaimBusy): answer is ClaimBusy {
  return "busy" in answer;
}

/** Claims are named `<instance id>/<sequence>`: the instance holding one is its prefix. */
export function claimOwner(claimId: string): string {
  return claimId.slice(0, claimId.lastIndexOf("/"));
}
