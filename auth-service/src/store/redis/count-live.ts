import { endThresholds, isPastSessionEnd } from "@gastown/token-policy";
import type { Redis } from "ioredis";
import { FIELDS } from "./hash.js";
import type { RedisKeys } from "./keys.js";

const BATCH = 500;

/**
 * Sessions that are active and not past their idle or absolute end, read from the
 * creation index in pipelined batches (a scrape-time gauge, not a hot path).
 */
export async function countLiveSessions(redis: Redis, keys: RedisKeys, nowMs: number): Promise<number> {
  const sessionIds = await redis.zrange(keys.byCreation, "0", "-1");
  const thresholds = endThresholds(nowMs);
  let live = 0;
  for (let start = 0; start < sessionIds.length; start += BATCH) {
    const pipeline = redis.pipeline();
    for (const sessionId of sessionIds.slice(start, start + BATCH)) pipeline.hmget(keys.session(sessionId), FIELDS.state, FIELDS.idleExpiresAt, FIELDS.expiresAt);
    for (const [error, reply] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const [state, idle, end] = reply as (string | null)[];
      if (state === "active" && !isPastSessionEnd({ idleExpiresAt: Number(idle), expiresAt: Number(end) }, thresholds)) live += 1;
    }
  }
  return live;
}
