import { type RedisConnection, runStages } from "@gastown/service-kit";
import type { TokenPolicy } from "@gastown/token-policy";
import { readableUntilMs, type StoredSession } from "../lib/stored-session.js";
import { fromHash } from "./hash.js";
import type { RedisKeys } from "./keys.js";

/**
 * Reads sessions by id in one pipeline (one per session on a cluster). Missing keys come back `undefined` (the caller
 * removes them from its index lazily); so do sessions no longer readable at `nowMs` (the
 * injected clock may run ahead of the key's TTL).
 */
export async function readSessions(redis: RedisConnection, keys: RedisKeys, policy: TokenPolicy, sessionIds: readonly string[], nowMs: number): Promise<{ sessions: (StoredSession | undefined)[]; gone: string[] }> {
  if (sessionIds.length === 0) return { sessions: [], gone: [] };
  const [replies = []] = await runStages(redis, [sessionIds.map((sessionId) => (p) => p.hgetall(keys.session(sessionId)))]);
  const gone: string[] = [];
  const sessions = sessionIds.map((sessionId, i) => {
    const [error, hash] = replies[i]?.[0] ?? [new Error("no reply"), null];
    if (error) throw error;
    const session = fromHash(sessionId, hash as Record<string, string>);
    if (!session) gone.push(sessionId);
    return session && nowMs < readableUntilMs(session, policy) ? session : undefined;
  });
  return { sessions, gone };
}
