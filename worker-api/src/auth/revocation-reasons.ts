import { type RedisConnection, runStages } from "@gastown/service-kit";
import { isRevocationReason, type RevocationReason, revokedReasonKey } from "@gastown/token-policy";

/**
 * Reads why sessions were revoked from the auth-service's per-session reason keys
 * (`<prefix>revoked:{<sid>}`, kept until the revocation's `until`), in one pipelined round
 * trip (one single-slot pipeline a key on a cluster): one GET a key. `undefined` where the key is gone
 * or holds no known reason (the store lost the session, or the revocation is over).
 * Throws when Redis does not answer: callers must not take "unreachable" for "unknown".
 */
export async function readRevocationReasons(redis: RedisConnection, prefix: string, sessionIds: readonly string[]): Promise<(RevocationReason | undefined)[]> {
  if (sessionIds.length === 0) return [];
  const [replies = []] = await runStages(redis, [sessionIds.map((sessionId) => (p) => p.get(revokedReasonKey(prefix, sessionId)))]);
  return sessionIds.map((sessionId, i) => {
    const [error, value] = replies[i]?.[0] ?? [new Error(`no reply for session ${sessionId}`), null];
    if (error) throw error;
    return isRevocationReason(value) ? value : undefined;
  });
}
