import type { RedisConnection } from "@gastown/service-kit";
import { lastLiveMs, type TokenPolicy } from "@gastown/token-policy";
import type { RedisKeys } from "./keys.js";

/**
 * The live-sessions gauge in one command, whatever the number of sessions (issue 14:
 * `/metrics` is unauthenticated, so a scrape must not walk the sessions). `keys.live`
 * holds each live session scored by when it stops being live (its idle end, capped by its
 * absolute end): it is added at dispatch, refreshed by rotations (see `liveScoreDue`),
 * and removed when the session is revoked or found expired.
 */
export async function countLiveSessions(redis: RedisConnection, keys: RedisKeys, nowMs: number): Promise<number> {
  return redis.zcount(keys.live, nowMs, "+inf");
}

/** The live set's score of a session: the last epoch ms at which it is live (token-policy's end rule; Unix s in). */
export function liveScore(idleExpiresAt: number, expiresAt: number): number {
  return lastLiveMs({ idleExpiresAt, expiresAt });
}

/**
 * Does this rotation refresh the session's live score? Every k-th generation, with k the
 * number of access-token lifetimes in half the idle timeout (12 by default): an agent
 * refreshes at least once per access-token lifetime, so its score is always at least half
 * an idle timeout ahead, and the refresh path sends one extra, unawaited ZADD on one
 * refresh in k instead of one on each (the response still waits for one EVALSHA only).
 */
export function liveScoreDue(generation: number, policy: TokenPolicy): boolean {
  const every = Math.max(1, Math.floor(policy.refreshIdleTtl / 2 / policy.accessTokenTtl));
  return generation % every === 0;
}
