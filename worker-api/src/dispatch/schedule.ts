import { idleEndAfter, renewalMarginMs, sessionAbsoluteEnd, type TokenPolicy, unixSeconds } from "@gastown/token-policy";

/** When a dispatched session is replaced: its ends and the renewal margin both come from token-policy. */
export { renewalMarginMs };

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
