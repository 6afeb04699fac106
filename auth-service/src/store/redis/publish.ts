import { type RevocationEvent, unixSeconds } from "@gastown/token-policy";
import type { Redis } from "ioredis";
import type { RedisKeys } from "./keys.js";

/**
 * Publishes revocations right after the script that made them: the sorted set keeps each
 * session id until its `until` (resync), the channel tells every subscriber now. Entries
 * whose `until` has passed are trimmed on the way. Beside the contract's set, a small
 * self-expiring key per revoked session (`<prefix>revoked:{<sid>}`, in the session's slot)
 * keeps the reason until `until`: a worker that missed the message still learns that an
 * `admin` or `client` revocation is final (DESIGN.md "Revocation reasons"), instead of
 * renewing the agent as if the store had lost the session. One pipeline, one round trip.
 */
export async function publishRevocations(redis: Redis, keys: RedisKeys, events: readonly RevocationEvent[], nowMs: number): Promise<void> {
  if (events.length === 0) return;
  const pipeline = redis.pipeline();
  for (const event of events) {
    // The reason first: whoever sees the id in the set or on the channel can read it.
    const untilMs = event.until * 1000;
    if (untilMs > nowMs) pipeline.set(keys.revokedReason(event.sid), event.reason, "PXAT", untilMs);
    pipeline.zadd(keys.revoked, event.until, event.sid);
    pipeline.publish(keys.channel, JSON.stringify({ sid: event.sid, reason: event.reason, until: event.until }));
  }
  pipeline.zremrangebyscore(keys.revoked, "-inf", `(${unixSeconds(nowMs)}`);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
