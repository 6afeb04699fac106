import type { TokenPolicy } from "./config.js";

/** Times of a new session, Unix seconds. */
export interface SessionTimes {
  createdAt: number;
  idleExpiresAt: number;
  expiresAt: number;
}

export function newSessionTimes(nowSec: number, policy: TokenPolicy): SessionTimes {
  const expiresAt = nowSec + policy.sessionMaxTtl;
  return { createdAt: nowSec, idleExpiresAt: Math.min(nowSec + policy.refreshIdleTtl, expiresAt), expiresAt };
}

/** A refresh at `nowSec` moves the idle deadline, never past the absolute end (invariant 6). */
export function nextIdleExpiry(nowSec: number, sessionExpiresAt: number, policy: TokenPolicy): number {
  return Math.min(nowSec + policy.refreshIdleTtl, sessionExpiresAt);
}

/** An access token never outlives its session: `exp` is capped at the session's end. */
export function accessTokenExpiry(nowSec: number, sessionExpiresAt: number, policy: TokenPolicy): number {
  return Math.min(nowSec + policy.accessTokenTtl, sessionExpiresAt);
}

/**
 * Until when a session's access tokens can still be accepted: its last `exp` plus the
 * clock tolerance. Revocation lists keep a session id until then, and an ended session
 * stays readable until then.
 */
export function revokedUntil(lastAccessExpiry: number, policy: TokenPolicy): number {
  return lastAccessExpiry + policy.clockTolerance;
}

/** Is the previous refresh token still inside its grace window (measured on the server's clock)? */
export function withinGrace(nowMs: number, rotatedAtMs: number, policy: TokenPolicy): boolean {
  return nowMs - rotatedAtMs <= policy.refreshGrace * 1000;
}
