import type { TokenPolicy } from "./config.js";

/**
 * Every lifetime and end-of-session rule (DESIGN.md invariant 6), in one place. Session
 * times are whole Unix seconds; the clock is epoch milliseconds. The Redis scripts get
 * these results as arguments (`refreshDeadlines`, `endThresholds`) and only compare and
 * cap; nothing else computes an end.
 */

/** Whole-second rounding of every session time: the clock's milliseconds, rounded down. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Times of a new session, Unix seconds. */
export interface SessionTimes {
  createdAt: number;
  idleExpiresAt: number;
  expiresAt: number;
}

/** The absolute end of a session created at `createdAtSec`; rotation never moves it. */
export function sessionAbsoluteEnd(createdAtSec: number, policy: TokenPolicy): number {
  return createdAtSec + policy.sessionMaxTtl;
}

/** The idle end after activity (creation or a refresh) at `atSec`, before the cap at the absolute end. */
export function idleEndAfter(atSec: number, policy: TokenPolicy): number {
  return atSec + policy.refreshIdleTtl;
}

/** `exp` of an access token issued at `nowSec`, before the cap at the session's absolute end. */
export function accessExpiryAfter(nowSec: number, policy: TokenPolicy): number {
  return nowSec + policy.accessTokenTtl;
}

/** Nothing of a session (idle end, an access token's `exp`) reaches past its absolute end. */
export function capAtSessionEnd(sec: number, sessionExpiresAt: number): number {
  return Math.min(sec, sessionExpiresAt);
}

export function newSessionTimes(nowSec: number, policy: TokenPolicy): SessionTimes {
  const expiresAt = sessionAbsoluteEnd(nowSec, policy);
  return { createdAt: nowSec, idleExpiresAt: nextIdleExpiry(nowSec, expiresAt, policy), expiresAt };
}

/** A refresh at `nowSec` moves the idle deadline, never past the absolute end (invariant 6). */
export function nextIdleExpiry(nowSec: number, sessionExpiresAt: number, policy: TokenPolicy): number {
  return capAtSessionEnd(idleEndAfter(nowSec, policy), sessionExpiresAt);
}

/** An access token never outlives its session: `exp` is capped at the session's end. */
export function accessTokenExpiry(nowSec: number, sessionExpiresAt: number, policy: TokenPolicy): number {
  return capAtSessionEnd(accessExpiryAfter(nowSec, policy), sessionExpiresAt);
}

/** How long an ended session is kept after its last access token's `exp`: the clock tolerance. */
export function retentionAfterLastAccess(policy: TokenPolicy): number {
  return policy.clockTolerance;
}

/**
 * Until when a session's access tokens can still be accepted: its last `exp` plus the
 * clock tolerance. Revocation lists keep a session id until then, and an ended session
 * stays readable until then.
 */
export function revokedUntil(lastAccessExpiry: number, policy: TokenPolicy): number {
  return lastAccessExpiry + retentionAfterLastAccess(policy);
}

/** Until when (Unix s) a session is kept: an ended one as `revokedUntil`, a live one also until its idle end. */
export function retainedUntil(session: { active: boolean; idleExpiresAt: number; lastAccessExpiresAt: number }, policy: TokenPolicy): number {
  const tokensEnd = revokedUntil(session.lastAccessExpiresAt, policy);
  return session.active ? Math.max(session.idleExpiresAt, tokensEnd) : tokensEnd;
}

/**
 * The longest anything of a session is kept after its creation (ms): its last access
 * token expires at its absolute end at the latest, then the tolerance. Index entries
 * older than this can name no readable session.
 */
export function sessionRetentionLimitMs(policy: TokenPolicy): number {
  return revokedUntil(policy.sessionMaxTtl, policy) * 1000;
}

/**
 * The end rule at `nowMs`, as the least stored ends (Unix s) a live session has: the idle
 * end is passed strictly after it, the absolute end is reached at it.
 */
export interface EndThresholds {
  /** A session whose idle end is below this is past it. */
  idleEndFrom: number;
  /** A session whose absolute end is below this has reached it. */
  absoluteEndFrom: number;
}

export function endThresholds(nowMs: number): EndThresholds {
  return { idleEndFrom: Math.ceil(nowMs / 1000), absoluteEndFrom: unixSeconds(nowMs) + 1 };
}

/** Has a session reached its idle end (strictly past) or its absolute end (at or after)? */
export function isPastSessionEnd(ends: { idleExpiresAt: number; expiresAt: number }, thresholds: EndThresholds): boolean {
  return ends.idleExpiresAt < thresholds.idleEndFrom || ends.expiresAt < thresholds.absoluteEndFrom;
}

/**
 * The last epoch ms at which a session with these ends is live, by the same rule (an
 * index of live sessions scores each by it: live at `nowMs` exactly when `nowMs <=` it).
 */
export function lastLiveMs(ends: { idleExpiresAt: number; expiresAt: number }): number {
  return Math.min(ends.idleExpiresAt * 1000, ends.expiresAt * 1000 - 1);
}

/** The earliest rotation time (epoch ms, server clock) whose previous token is still inside the grace window at `nowMs`. */
export function graceStartMs(nowMs: number, policy: TokenPolicy): number {
  return nowMs - policy.refreshGrace * 1000;
}

/** Is the previous refresh token still inside its grace window (measured on the server's clock)? */
export function withinGrace(nowMs: number, rotatedAtMs: number, policy: TokenPolicy): boolean {
  return rotatedAtMs >= graceStartMs(nowMs, policy);
}

/** Everything a refresh at `nowMs` decides with, computed once (both stores, and rotate-1.lua's arguments). */
export interface RefreshDeadlines extends EndThresholds {
  nowMs: number;
  nowSec: number;
  /** The new idle end, before the cap at the session's absolute end. */
  idleEnd: number;
  /** The new access token's `exp`, before the cap at the session's absolute end. */
  accessExpiry: number;
  /** See `graceStartMs`. */
  graceStartMs: number;
  /** See `retentionAfterLastAccess`. */
  retention: number;
}

export function refreshDeadlines(nowMs: number, policy: TokenPolicy): RefreshDeadlines {
  const nowSec = unixSeconds(nowMs);
  const ends = endThresholds(nowMs);
  return {
    idleEndFrom: ends.idleEndFrom,
    absoluteEndFrom: ends.absoluteEndFrom,
    nowMs,
    nowSec,
    idleEnd: idleEndAfter(nowSec, policy),
    accessExpiry: accessExpiryAfter(nowSec, policy),
    graceStartMs: graceStartMs(nowMs, policy),
    retention: retentionAfterLastAccess(policy),
  };
}
