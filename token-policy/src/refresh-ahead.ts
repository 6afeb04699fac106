import type { TokenPolicy } from "./config.js";

export type RandomSource = () => number;

/**
 * How long after receiving a token to refresh it: when `refreshAheadFraction` of its life
 * (from `expires_in`, counted on the local clock from receipt, so clock skew does not
 * matter) has passed, brought forward by up to `refreshJitterFraction` at random so a
 * fleet dispatched together does not refresh together. Never sooner than the minimum
 * refresh interval, even when `expires_in` is 0 near the session's end.
 */
export function refreshDelayMs(expiresInSec: number, policy: TokenPolicy, random: RandomSource = Math.random): number {
  const lifeMs = Math.max(0, expiresInSec) * 1000;
  const fraction = policy.refreshAheadFraction - policy.refreshJitterFraction * clamp01(random());
  return Math.max(policy.minRefreshIntervalMs, Math.floor(lifeMs * fraction));
}

/**
 * Delay before retry number `attempt` (0 for the first retry) after a failed refresh:
 * exponential backoff with full jitter between the policy's minimum and cap.
 */
export function retryDelayMs(attempt: number, policy: TokenPolicy, random: RandomSource = Math.random): number {
  const ceiling = Math.min(policy.retryMaxMs, policy.retryMinMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.max(policy.minRefreshIntervalMs, Math.floor(ceiling * clamp01(random())));
}

/**
 * How long before a session's end the worker replaces it with a fresh dispatch:
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

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}
