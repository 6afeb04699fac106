import { accessTokenExpiry, endThresholds, isPastSessionEnd, newSessionTimes, retainedUntil, type TokenPolicy, unixSeconds } from "@gastown/token-policy";
import type { NewSession, SessionRecord, SessionState } from "../types.js";

/**
 * Everything a store keeps about one session, in the units it keeps them. Constant size:
 * no per-rotation data (the previous generation is `generation - 1`, its grace starts at
 * `rotatedAtMs`).
 */
export interface StoredSession extends Omit<SessionRecord, "createdAt"> {
  /** As stored; `toRecord` reads an active session past its ends as `expired`. */
  state: SessionState;
  createdAtMs: number;
  /** When the current generation was minted (epoch ms, server clock); 0 before the first rotation. */
  rotatedAtMs: number;
}

/** A session as a store creates it: active, generation 0, its ends and first access token's expiry from the policy. */
export function newStoredSession(input: NewSession, policy: TokenPolicy): StoredSession {
  const nowSec = unixSeconds(input.nowMs);
  const times = newSessionTimes(nowSec, policy);
  return {
    sessionId: input.sessionId,
    agentId: input.agentId,
    rigId: input.rigId,
    townId: input.townId,
    userId: input.userId,
    role: input.role,
    scope: input.scope,
    clientId: input.clientId,
    state: "active",
    revokeReason: null,
    createdAtMs: input.nowMs,
    lastRefreshAt: null,
    generation: 0,
    idleExpiresAt: times.idleExpiresAt,
    expiresAt: times.expiresAt,
    lastAccessExpiresAt: accessTokenExpiry(nowSec, times.expiresAt, policy),
    rotatedAtMs: 0,
  };
}

/** Has an active session reached its idle or absolute end at `nowMs`? (token-policy's rule, invariant 6) */
export function isPastEnd(session: Pick<StoredSession, "idleExpiresAt" | "expiresAt">, nowMs: number): boolean {
  return isPastSessionEnd(session, endThresholds(nowMs));
}

/** Is the session live at `nowMs` (stored active and not past its ends)? */
export function isLive(session: StoredSession, nowMs: number): boolean {
  return session.state === "active" && !isPastEnd(session, nowMs);
}

/**
 * Until when (epoch ms) the session stays readable (the Redis key's PEXPIREAT): an ended
 * one until every access token it issued has expired, a live one also until its idle end.
 */
export function readableUntilMs(session: StoredSession, policy: TokenPolicy): number {
  return retainedUntil({ active: session.state === "active", idleExpiresAt: session.idleExpiresAt, lastAccessExpiresAt: session.lastAccessExpiresAt }, policy) * 1000;
}

/** The public view, with the state computed at read time. */
export function toRecord(session: StoredSession, nowMs: number): SessionRecord {
  const expiredNow = session.state === "active" && isPastEnd(session, nowMs);
  return {
    sessionId: session.sessionId,
    agentId: session.agentId,
    rigId: session.rigId,
    townId: session.townId,
    userId: session.userId,
    role: session.role,
    scope: session.scope,
    clientId: session.clientId,
    state: expiredNow ? "expired" : session.state,
    revokeReason: expiredNow ? "expired" : session.revokeReason,
    createdAt: unixSeconds(session.createdAtMs),
    lastRefreshAt: session.lastRefreshAt,
    generation: session.generation,
    idleExpiresAt: session.idleExpiresAt,
    expiresAt: session.expiresAt,
    lastAccessExpiresAt: session.lastAccessExpiresAt,
  };
}
