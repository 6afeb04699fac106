import { endThresholds, type RevocationReason, refreshDeadlines, retentionAfterLastAccess, sessionRetentionLimitMs, type TokenPolicy } from "@gastown/token-policy";
import type { Redis } from "ioredis";
import { StoreError } from "../errors.js";
import { singleFilterEntry } from "../lib/filter.js";
import { newStoredSession, readableUntilMs, toRecord } from "../lib/stored-session.js";
import type { CreatedSession, EndedSession, NewSession, OnSessionEnded, RotateInput, RotateResult, SessionFilter, SessionPage, SessionRecord, SessionStore } from "../types.js";
import { revokeOutcome, rotateEnded, rotateOutcome } from "./codes.js";
import { defineSessionCommands } from "./commands.js";
import { dumpKeys } from "./dump.js";
import { countLiveSessions } from "./count-live.js";
import { redisKeys } from "./keys.js";
import { listSessions } from "./list.js";
import { pingRedis } from "./ping.js";
import { publishRevocations } from "./publish.js";
import { readSessions } from "./read.js";

export interface RedisStoreOptions {
  /** The client to use; the store does not close it (its owner does). */
  redis: Redis;
  /** Prefix of every key and channel (REDIS_PREFIX). */
  prefix: string;
  policy: TokenPolicy;
  /** Told of every session this store ends (after it is published). */
  onEnded?: OnSessionEnded;
}

/**
 * The Redis session store: one hash per session, each state change one Lua script
 * (scripts/*.lua), revocations published by the store (sorted set + pub/sub).
 */
export function createRedisStore({ redis, prefix, policy, onEnded }: RedisStoreOptions): SessionStore {
  const keys = redisKeys(prefix);
  const context = { redis, keys, policy };
  defineSessionCommands(redis);

  function tell(ended: readonly EndedSession[]): void {
    if (!onEnded) return;
    for (const event of ended) {
      try {
        onEnded(event);
      } catch {
        // an observer's failure must not fail the revocation
      }
    }
  }

  /** Runs revoke-1.lua for each id (one pipeline), publishes what ended; answers how many were live. */
  async function revokeMany(sessionIds: readonly string[], reason: RevocationReason, nowMs: number): Promise<{ known: boolean; revoked: boolean }[]> {
    if (sessionIds.length === 0) return [];
    const { idleEndFrom, absoluteEndFrom } = endThresholds(nowMs);
    const retention = retentionAfterLastAccess(policy);
    const pipeline = redis.pipeline();
    for (const sessionId of sessionIds) pipeline.gastownRevokeSession(keys.session(sessionId), reason, idleEndFrom, absoluteEndFrom, retention);
    const replies = (await pipeline.exec()) ?? [];
    const events: EndedSession[] = [];
    const outcomes = sessionIds.map((sid, i) => {
      const [error, reply] = replies[i] ?? [new StoreError("ERR_STORE_SCRIPT", "no reply"), null];
      if (error) throw new StoreError("ERR_STORE_SCRIPT", `revoke script failed for session ${sid}`, { cause: error });
      const [code, until, agentId, townId, clientId] = reply as [number, number, string?, string?, string?];
      const outcome = revokeOutcome(code, reason);
      if (outcome.published) events.push({ sid, reason: outcome.published, until, agentId, townId, clientId });
      return outcome;
    });
    await publishRevocations(redis, keys, events, nowMs);
    tell(events);
    return outcomes;
  }

  return {
    async create(input: NewSession): Promise<CreatedSession> {
      const session = newStoredSession(input, policy);
      // Index entries can outlive no session by more than this: they are trimmed and expire.
      const retentionLimitMs = sessionRetentionLimitMs(policy);
      const indexHorizonMs = input.nowMs + retentionLimitMs;
      const pipeline = redis.pipeline();
      pipeline.gastownCreateSession(keys.session(input.sessionId), input.agentId, input.rigId ?? "", input.townId, input.userId, input.role, input.scope, input.clientId, input.nowMs, session.idleExpiresAt, session.expiresAt, session.lastAccessExpiresAt, readableUntilMs(session, policy));
      pipeline.zadd(keys.byCreation, input.nowMs, input.sessionId);
      pipeline.zremrangebyscore(keys.byCreation, "-inf", `(${input.nowMs - retentionLimitMs}`);
      pipeline.pexpireat(keys.byCreation, indexHorizonMs);
      const indexes: [Parameters<typeof keys.index>[0], string | null][] = [["agentId", input.agentId], ["rigId", input.rigId], ["townId", input.townId], ["userId", input.userId]];
      for (const [field, value] of indexes) {
        if (value === null) continue;
        pipeline.sadd(keys.index(field, value), input.sessionId);
        pipeline.pexpireat(keys.index(field, value), indexHorizonMs);
      }
      const [[error, created] = [null, null]] = (await pipeline.exec()) ?? [];
      if (error) throw new StoreError("ERR_STORE_SCRIPT", `create script failed for session ${input.sessionId}`, { cause: error });
      if (created !== 1) throw new StoreError("ERR_STORE_CONFLICT", `session ${input.sessionId} already exists`);
      return { session: toRecord(session, input.nowMs), accessExpiresAt: session.lastAccessExpiresAt };
    },

    async get(sessionId: string, nowMs: number): Promise<SessionRecord | undefined> {
      const { sessions } = await readSessions(redis, keys, policy, [sessionId], nowMs);
      return sessions[0] && toRecord(sessions[0], nowMs);
    },

    async rotate(input: RotateInput): Promise<RotateResult> {
      // Exactly one round trip on the rotate and grace paths (one EVALSHA); every deadline from token-policy.
      const d = refreshDeadlines(input.nowMs, policy);
      const reply = await redis.gastownRotateSession(keys.session(input.sessionId), input.presentedGeneration, input.clientId, input.requestedScope ?? "", d.nowMs, d.nowSec, d.idleEndFrom, d.absoluteEndFrom, d.idleEnd, d.accessExpiry, d.graceStartMs, d.retention);
      const result = rotateOutcome(reply, input);
      if (result.outcome === "reuse_detected" || result.outcome === "expired") {
        await publishRevocations(redis, keys, [result.revocation], input.nowMs);
        tell([rotateEnded(reply, result.revocation, input.clientId)]);
      }
      return result;
    },

    async revoke(sessionId: string, reason: RevocationReason, nowMs: number) {
      const [outcome] = await revokeMany([sessionId], reason, nowMs);
      return { known: outcome?.known ?? false, revoked: outcome?.revoked ?? false };
    },

    async revokeWhere(filter: SessionFilter, reason: RevocationReason, nowMs: number): Promise<number> {
      const [field, value] = singleFilterEntry(filter);
      const indexKey = keys.index(field, value);
      const sessionIds = await redis.smembers(indexKey);
      const outcomes = await revokeMany(sessionIds, reason, nowMs);
      const gone = sessionIds.filter((_, i) => outcomes[i]?.known === false);
      if (gone.length > 0) await redis.srem(indexKey, ...gone);
      return outcomes.filter((o) => o.revoked).length;
    },

    list(filter: SessionFilter, limit: number, cursor: string | null, nowMs: number): Promise<SessionPage> {
      return listSessions(context, filter, limit, cursor, nowMs);
    },

    countLive: (nowMs: number) => countLiveSessions(redis, keys, nowMs),

    ping: () => pingRedis(redis),

    dump: () => dumpKeys(redis, prefix),

    async close(): Promise<void> {
      // The client belongs to the caller; nothing of the store's own to release.
    },
  };
}
