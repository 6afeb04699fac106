import { firstError, type PipelineOp, type RedisConnection, runStages } from "@gastown/service-kit";
import { endThresholds, isRole, type RevocationEvent, type RevocationReason, refreshDeadlines, retentionAfterLastAccess, sessionRetentionLimitMs, type TokenPolicy, unixSeconds } from "@gastown/token-policy";
import { StoreError } from "../errors.js";
import { singleFilterEntry } from "../lib/filter.js";
import { issuedScope } from "../lib/scope.js";
import { newStoredSession, readableUntilMs, toRecord } from "../lib/stored-session.js";
import type { CreatedSession, EndedSession, InvalidReason, NewSession, OnSessionEnded, RotateInput, RotateResult, SessionFilter, SessionPage, SessionRecord, SessionStore } from "../types.js";
import { defineSessionCommands, type RotateReply } from "./commands.js";
import { countLiveSessions, liveScore, liveScoreDue } from "./count-live.js";
import { dumpKeys } from "./dump.js";
import { redisKeys } from "./keys.js";
import { listSessions } from "./list.js";
import { pingRedis } from "./ping.js";
import { publishRevocations } from "./publish.js";
import { readSessions } from "./read.js";
import { type ReplicaWait, replicaWait } from "./replica-wait.js";

export interface RedisStoreOptions {
  /** The connection to use, in any mode (service-kit); the store does not close it (its owner does). */
  redis: RedisConnection;
  /** Prefix of every key and channel (REDIS_PREFIX). */
  prefix: string;
  policy: TokenPolicy;
  /** Told of every session this store ends (after it is published). */
  onEnded?: OnSessionEnded;
  /** WAIT for replicas after every dispatch, rotation and revocation (replica-wait.ts); default off. */
  replicaWait?: ReplicaWait;
}

/**
 * The Redis session store: one hash per session, each state change one Lua script
 * (scripts/*.lua), revocations published by the store (sorted set + pub/sub). Every
 * script and pipeline touches one hash slot (keys.ts), so it runs unchanged on a
 * standalone Redis, a Sentinel-managed primary or a Redis Cluster.
 */
export function createRedisStore({ redis, prefix, policy, onEnded, replicaWait: replicas = replicaWait() }: RedisStoreOptions): SessionStore {
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

  /**
   * Runs revoke-1.lua for each id (one pipeline; one per session on a cluster), publishes
   * what ended; answers how many were live. Idempotent: a session revoked already answers
   * 0 and is not published again, so an interrupted bulk revocation is finished by
   * running it again.
   */
  async function revokeMany(sessionIds: readonly string[], reason: RevocationReason, nowMs: number): Promise<{ known: boolean; revoked: boolean }[]> {
    if (sessionIds.length === 0) return [];
    const { idleEndFrom, absoluteEndFrom } = endThresholds(nowMs);
    const retention = retentionAfterLastAccess(policy);
    const revokeOne = (sessionId: string): PipelineOp => (p) => p.gastownRevokeSession(keys.session(sessionId), reason, idleEndFrom, absoluteEndFrom, retention);
    const waited = await runStages(redis, replicas.stages(redis, [sessionIds.map(revokeOne)]));
    const [replies = []] = waited;
    const events: EndedSession[] = [];
    const outcomes = sessionIds.map((sid, i) => {
      const [error, reply] = replies[i]?.[0] ?? [new StoreError("ERR_STORE_SCRIPT", "no reply"), null];
      if (error) throw new StoreError("ERR_STORE_SCRIPT", `revoke script failed for session ${sid}`, { cause: error });
      const [code, until, agentId, townId, clientId] = reply as [number, number, string?, string?, string?];
      const outcome = revokeOutcome(code, reason);
      if (outcome.published) events.push({ sid, reason: outcome.published, until, agentId, townId, clientId });
      return outcome;
    });
    await publishRevocations(redis, keys, events, nowMs);
    tell(events);
    // Published (every worker-api refuses the access tokens now), but a failover may still
    // undo it and revive the session: fewer replicas than asked answer 503, and RFC 7009
    // §2.2.1 has the client assume the token still exists and retry (idempotent). The WAIT
    // rode the scripts' pipeline, so it covers the sessions' own state; the revoked-set
    // entries written after it are not waited for (the channel already told every worker).
    replicas.confirmStages(redis, waited, `revocation of ${sessionIds.length === 1 ? `session ${sessionIds[0]}` : `${sessionIds.length} sessions`}`);
    return outcomes;
  }

  return {
    async create(input: NewSession): Promise<CreatedSession> {
      const session = newStoredSession(input, policy);
      // Index entries can outlive no session by more than this: they are trimmed and expire.
      const retentionLimitMs = sessionRetentionLimitMs(policy);
      const indexHorizonMs = input.nowMs + retentionLimitMs;
      const horizon = input.nowMs - retentionLimitMs;
      const sid = input.sessionId;
      // The index entries first: a dispatch interrupted between the stages leaves only index
      // entries without a session, which reads drop (never a session that no bulk
      // revocation or listing can find).
      const indexes: PipelineOp[] = [
        (p) => p.zadd(keys.byCreation, input.nowMs, sid).zremrangebyscore(keys.byCreation, "-inf", `(${horizon}`).pexpireat(keys.byCreation, indexHorizonMs),
        (p) => p.zadd(keys.live, liveScore(session.idleExpiresAt, session.expiresAt), sid).zremrangebyscore(keys.live, "-inf", `(${horizon}`).pexpireat(keys.live, indexHorizonMs),
      ];
      const fields: [Parameters<typeof keys.index>[0], string | null][] = [["agentId", input.agentId], ["rigId", input.rigId], ["townId", input.townId], ["userId", input.userId]];
      for (const [field, value] of fields) {
        if (value !== null) indexes.push((p) => p.sadd(keys.index(field, value), sid).pexpireat(keys.index(field, value), indexHorizonMs));
      }
      const createSession: PipelineOp = (p) => p.gastownCreateSession(keys.session(sid), input.agentId, input.rigId ?? "", input.townId, input.userId, input.role, input.scope, input.clientId, input.nowMs, session.idleExpiresAt, session.expiresAt, session.lastAccessExpiresAt, readableUntilMs(session, policy));
      const replies = await runStages(redis, replicas.stages(redis, [indexes, [createSession]]));
      const [indexReplies = [], [[[error, created] = [null, null]] = []] = []] = replies;
      const indexError = firstError([indexReplies]);
      if (indexError) throw new StoreError("ERR_STORE_SCRIPT", `index writes failed for session ${sid}`, { cause: indexError });
      if (error) throw new StoreError("ERR_STORE_SCRIPT", `create script failed for session ${sid}`, { cause: error });
      if (created !== 1) throw new StoreError("ERR_STORE_CONFLICT", `session ${sid} already exists`);
      replicas.confirmStages(redis, replies, `creation of session ${sid}`);
      return { session: toRecord(session, input.nowMs), accessExpiresAt: session.lastAccessExpiresAt };
    },

    async get(sessionId: string, nowMs: number): Promise<SessionRecord | undefined> {
      const { sessions } = await readSessions(redis, keys, policy, [sessionId], nowMs);
      return sessions[0] && toRecord(sessions[0], nowMs);
    },

    async rotate(input: RotateInput): Promise<RotateResult> {
      // Exactly one round trip on the rotate and grace paths (one EVALSHA); every deadline from token-policy.
      const d = refreshDeadlines(input.nowMs, policy);
      const args = [input.presentedGeneration, input.clientId, input.requestedScope ?? "", d.nowMs, d.nowSec, d.idleEndFrom, d.absoluteEndFrom, d.idleEnd, d.accessExpiry, d.graceStartMs, d.retention] as const;
      const key = keys.session(input.sessionId);
      // With WAIT on, the same pipeline carries it (replica-wait.ts): still one round trip.
      const { reply, acknowledged } = replicas.enabled ? await replicas.run<RotateReply>(redis, (p) => p.gastownRotateSession(key, ...args)) : { reply: await redis.gastownRotateSession(key, ...args), acknowledged: 0 };
      const result = rotateOutcome(reply, input);
      // Only the outcomes that hand out a refresh token wait: a refused one is answered invalid_grant whatever the replicas hold.
      if (replicas.enabled && (result.outcome === "rotated" || result.outcome === "grace_replay")) replicas.confirm(acknowledged, `rotation of session ${input.sessionId}`);
      if (result.outcome === "rotated" && liveScoreDue(result.generation, policy)) {
        // Not awaited: the gauge must not cost the refresh a round trip. XX: never re-adds a
        // session that a concurrent revocation just took out.
        redis.zadd(keys.live, "XX", liveScore(result.session.idleExpiresAt, result.session.expiresAt), input.sessionId).catch(() => {});
      }
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

// The scripts' replies as typed outcomes: the one place their layouts and codes are read.

const INVALID: Record<number, InvalidReason> = {
  [-1]: "unknown_session",
  [-2]: "not_active",
  [-3]: "client_mismatch",
  [-4]: "scope_widened",
  [-5]: "future_generation",
};

const ENDED: Record<number, RevocationReason> = { 3: "reuse_detected", 4: "expired" };

/** Positions of the 1 (rotated) / 2 (grace_replay) reply: code, generation, accessExpiresAt, then the session after the call. */
const SESSION_REPLY_LENGTH = 14;

function corrupt(input: RotateInput, what: string): StoreError {
  return new StoreError("ERR_STORE_CORRUPT", `session ${input.sessionId}: ${what}`);
}

/** The session a rotated/grace reply describes (state active: the script checked it). */
function rotatedSession(reply: RotateReply, input: RotateInput): SessionRecord {
  if (reply.length !== SESSION_REPLY_LENGTH) throw corrupt(input, "missing fields");
  const [, generation, , lastRefreshAt, idleExpiresAt, expiresAt, lastAccessExpiresAt, createdAtMs, agentId, rigId, townId, userId, role, scope] = reply;
  if (!isRole(role)) throw corrupt(input, "bad role");
  return {
    sessionId: input.sessionId,
    agentId: String(agentId),
    rigId: rigId ? String(rigId) : null,
    townId: String(townId),
    userId: String(userId),
    role,
    scope: String(scope),
    clientId: input.clientId, // the script checked it is the session's
    state: "active",
    revokeReason: null,
    createdAt: unixSeconds(Number(createdAtMs)),
    lastRefreshAt: Number(lastRefreshAt),
    generation: Number(generation),
    idleExpiresAt: Number(idleExpiresAt),
    expiresAt: Number(expiresAt),
    lastAccessExpiresAt: Number(lastAccessExpiresAt),
  };
}

/** Maps a `rotate-1.lua` reply to the store's outcome (the one place its layout is read). */
export function rotateOutcome(reply: RotateReply, input: RotateInput): RotateResult {
  const code = Number(reply[0]);
  if (code === 1 || code === 2) {
    const session = rotatedSession(reply, input);
    return {
      outcome: code === 1 ? "rotated" : "grace_replay",
      generation: session.generation,
      scope: issuedScope(input.requestedScope, session.scope),
      accessExpiresAt: Number(reply[2]),
      session,
    };
  }
  const invalid = INVALID[code];
  if (invalid) return { outcome: "invalid", reason: invalid };
  const reason = ENDED[code];
  if (reason) {
    const revocation: RevocationEvent = { sid: input.sessionId, reason, until: Number(reply[1]) };
    return { outcome: reason === "expired" ? "expired" : "reuse_detected", revocation };
  }
  throw new StoreError("ERR_STORE_SCRIPT", `rotate script answered unknown code ${String(code)}`);
}

/** Whose session a 3 (reuse_detected) / 4 (expired) reply ended, for the observers. */
export function rotateEnded(reply: RotateReply, revocation: RevocationEvent, clientId: string): EndedSession {
  return { ...revocation, agentId: String(reply[2]), townId: String(reply[3]), clientId };
}

/** What a `revoke-1.lua` code means: was it live, and is there a revocation to publish? */
export function revokeOutcome(code: number, reason: RevocationReason): { known: boolean; revoked: boolean; published: RevocationReason | null } {
  switch (code) {
    case 1:
      return { known: true, revoked: true, published: reason };
    case 2:
      return { known: true, revoked: false, published: "expired" };
    case 0:
      return { known: true, revoked: false, published: null };
    case -1:
      return { known: false, revoked: false, published: null };
    default:
      throw new StoreError("ERR_STORE_SCRIPT", `revoke script answered unknown code ${code}`);
  }
}
