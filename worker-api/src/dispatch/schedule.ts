import { idleEndAfter, sessionAbsoluteEnd, type TokenPolicy, unixSeconds } from "@gastown/token-policy";

/**
 * When a dispatched session must be replaced. Every number comes from the policy:
 *
 * renewal margin = max((1 - refreshAheadFraction) x min(accessTokenTtl, lifetime), minRefreshInterval)
 *
 * i.e. the session is renewed at the point where the container would refresh ahead the
 * last access token that fits into it (80 % of an access token's life by default, so
 * 12 minutes before the end with the 1 h default), and never closer to the end than the
 * minimum refresh interval. `lifetime` is sessionMaxTtl for the absolute end and
 * refreshIdleTtl for the idle end.
 */
export function renewalMarginMs(policy: TokenPolicy, lifetimeSec: number): number {
  const fraction = 1 - policy.refreshAheadFraction;
  return Math.max(Math.round(fraction * Math.min(policy.accessTokenTtl, lifetimeSec) * 1000), policy.minRefreshIntervalMs);
}

/**
 * The session's absolute end as the auth-service computes it (token-policy: whole Unix
 * seconds, so it can fall up to 1 s earlier than ms arithmetic says); renew a margin before it.
 */
export function absoluteRenewAtMs(dispatchedAtMs: number, policy: TokenPolicy): number {
  return sessionAbsoluteEnd(unixSeconds(dispatchedAtMs), policy) * 1000 - renewalMarginMs(policy, policy.sessionMaxTtl);
}

/** The idle end after the last refresh (or the dispatch), as token-policy computes it; renew a margin before it. */
export function idleRenewAtMs(lastRefreshAtMs: number, policy: TokenPolicy): number {
  return idleEndAfter(unixSeconds(lastRefreshAtMs), policy) * 1000 - renewalMarginMs(policy, policy.refreshIdleTtl);
}

/** setTimeout cannot wait longer than this; longer waits are re-armed when they fire. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
