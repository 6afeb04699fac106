import type { RedisConnection } from "@gastown/service-kit";
import type { TokenPolicy } from "@gastown/token-policy";
import { checkLimit, decodeCursor, encodeCursor, isAfter, type ListPosition, pageOf } from "../lib/cursor.js";
import { type FilterField, filterEntries, matchesFilter } from "../lib/filter.js";
import type { StoredSession } from "../lib/stored-session.js";
import { toRecord } from "../lib/stored-session.js";
import type { SessionFilter, SessionPage } from "../types.js";
import type { RedisKeys } from "./keys.js";
import { readSessions } from "./read.js";

/** The most selective index first. */
const INDEX_ORDER: readonly FilterField[] = ["agentId", "rigId", "userId", "townId"];

interface ListContext {
  redis: RedisConnection;
  keys: RedisKeys;
  policy: TokenPolicy;
}

/** Sessions matching the filter (AND), newest first, paged by an opaque cursor. */
export async function listSessions(context: ListContext, filter: SessionFilter, limit: number, cursor: string | null, nowMs: number): Promise<SessionPage> {
  checkLimit(limit);
  const position = decodeCursor(cursor);
  const entries = filterEntries(filter);
  if (entries.length === 0) return listAll(context, limit, position, nowMs);

  const [field, value] = INDEX_ORDER.map((f) => entries.find(([name]) => name === f)).find((entry) => entry !== undefined)!;
  const indexKey = context.keys.index(field, value);
  const ids = await context.redis.smembers(indexKey);
  const { sessions, gone } = await readSessions(context.redis, context.keys, context.policy, ids, nowMs);
  if (gone.length > 0) await context.redis.srem(indexKey, ...gone);
  const matching = sessions.filter((s): s is StoredSession => s !== undefined && matchesFilter(s, entries));
  const { page, nextCursor } = pageOf(matching, limit, position);
  return { sessions: page.map((s) => toRecord(s, nowMs)), nextCursor };
}

/** Walks the creation-time sorted set newest first from the cursor, in batches. */
async function listAll({ redis, keys, policy }: ListContext, limit: number, position: ListPosition | null, nowMs: number): Promise<SessionPage> {
  const batch = Math.max(limit + 1, 100);
  const max = position ? String(position.createdAtMs) : "+inf";
  const found: StoredSession[] = [];
  for (let offset = 0; found.length <= limit; offset += batch) {
    const reply = await redis.zrange(keys.byCreation, max, "-inf", "BYSCORE", "REV", "LIMIT", offset, batch, "WITHSCORES");
    const candidates: string[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const sessionId = reply[i]!;
      if (isAfter({ createdAtMs: Number(reply[i + 1]), sessionId }, position)) candidates.push(sessionId);
    }
    const { sessions, gone } = await readSessions(redis, keys, policy, candidates, nowMs);
    if (gone.length > 0) await redis.zrem(keys.byCreation, ...gone);
    for (const session of sessions) if (session && found.length <= limit) found.push(session);
    if (reply.length < batch * 2) break;
  }
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  return { sessions: page.map((s) => toRecord(s, nowMs)), nextCursor: found.length > limit && last ? encodeCursor(last) : null };
}
