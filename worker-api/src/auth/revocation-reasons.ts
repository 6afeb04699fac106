import { isRevocationReason, type RevocationReason, revokedReasonKey } from "@gastown/token-policy";
import type { Redis } from "ioredis";

/**
 * Reads why sessions were revoked from the auth-service's per-session reason keys
 * (`<prefix>revoked:{<sid>}`, kept until the revocation's `until`), in one pipelined round
 * trip: one GET a key, each in its session's Cluster slot. `undefined` where the key is gone
 * or holds no known reason (the store lost the session, or the revocation is over).
 * Throws when Redis does not answer: callers must not take "unreachable" for "unknown".
 */
export async function readRevocationReasons(redis: Redis, prefix: string, sessionIds: readonly string[]): Promise<(RevocationReason | undefined)[]> {
  if (sessionIds.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const sessionId of sessionIds) pipeline.get(revokedReasonKey(prefix, sessionId));
  const replies = (await pipeline.exec()) ?? [];
  return sessionIds.map((sessionId, i) => {
    const [error, value] = replies[i] ?? [new Error(`no reply for session ${sessionId}`), null];
    if (error) throw error;
    return isRevocationReason(value) ? value : undefined;
  });
}
