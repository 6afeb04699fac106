import { firstError, type PipelineOp, type RedisConnection, runStages } from "@gastown/service-kit";
import { type RevocationEvent, unixSeconds } from "@gastown/token-policy";
import type { RedisKeys } from "./keys.js";

/**
 * Publishes revocations right after the script that made them: the sorted set keeps each
 * session id until its `until` (resync), the channel tells every subscriber now. Entries
 * whose `until` has passed are trimmed on the way. Beside the contract's set, a small
 * self-expiring key per revoked session (`<prefix>revoked:{<sid>}`, in the session's slot)
 * keeps the reason until `until`: a worker that missed the message still learns that an
 * `admin` or `client` revocation is final (DESIGN.md "Revocation reasons"), instead of
 * renewing the agent as if the store had lost the session. The ended sessions also leave
 * the live set (the gauge). One pipeline, one round trip; on a cluster two stages of
 * single-slot pipelines. Each step is idempotent, so an interrupted publication is
 * completed by repeating it.
 */
export async function publishRevocations(redis: RedisConnection, keys: RedisKeys, events: readonly RevocationEvent[], nowMs: number): Promise<void> {
  if (events.length === 0) return;
  // The reason first: whoever sees the id in the set or on the channel can read it.
  const reasons: PipelineOp[] = events
    .filter((event) => event.until * 1000 > nowMs)
    .map((event) => (p) => p.set(keys.revokedReason(event.sid), event.reason, "PXAT", event.until * 1000));
  const announce: PipelineOp[] = [
    (p) => {
      for (const event of events) p.zadd(keys.revoked, event.until, event.sid);
      p.zremrangebyscore(keys.revoked, "-inf", `(${unixSeconds(nowMs)}`);
    },
    (p) => p.zrem(keys.live, ...events.map((event) => event.sid)),
    // Classic PUBLISH: on a cluster it reaches the subscribers of every node.
    (p) => {
      for (const event of events) p.publish(keys.channel, JSON.stringify({ sid: event.sid, reason: event.reason, until: event.until }));
    },
  ];
  const error = firstError(await runStages(redis, [reasons, announce]));
  if (error) throw error;
}
