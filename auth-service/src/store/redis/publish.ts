import type { RevocationEvent } from "@gastown/token-policy";
import type { Redis } from "ioredis";
import type { RedisKeys } from "./keys.js";

/**
 * Publishes revocations right after the script that made them: the sorted set keeps each
 * session id until its `until` (resync), the channel tells every subscriber now. Entries
 * whose `until` has passed are trimmed on the way. One pipeline, one round trip.
 */
export async function publishRevocations(redis: Redis, keys: RedisKeys, events: readonly RevocationEvent[], nowMs: number): Promise<void> {
  if (events.length === 0) return;
  const pipeline = redis.pipeline();
  for (const event of events) {
    pipeline.zadd(keys.revoked, event.until, event.sid);
    pipeline.publish(keys.channel, JSON.stringify({ sid: event.sid, reason: event.reason, until: event.until }));
  }
  pipeline.zremrangebyscore(keys.revoked, "-inf", `(${Math.floor(nowMs / 1000)}`);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
