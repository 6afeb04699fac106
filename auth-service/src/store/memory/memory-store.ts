import { type InProcessRevocationBus, type RevocationEvent, type RevocationReason, refreshDeadlines, revokedUntil, type TokenPolicy } from "@gastown/token-policy";
import { checkLimit, decodeCursor, pageOf } from "../lib/cursor.js";
import { filterEntries, matchesFilter, singleFilterEntry } from "../lib/filter.js";
import { decideRotation } from "../lib/rotation.js";
import { issuedScope } from "../lib/scope.js";
import { isLive, isPastEnd, newStoredSession, readableUntilMs, type StoredSession, toRecord } from "../lib/stored-session.js";
import type { CreatedSession, NewSession, OnSessionEnded, RotateInput, RotateResult, SessionFilter, SessionPage, SessionRecord, SessionStore } from "../types.js";
import { serializeMemorySession } from "./serialize.js";

export interface MemoryStoreOptions {
  policy: TokenPolicy;
  /** Where revocations go (a worker-api in the same process subscribes). */
  bus: InProcessRevocationBus;
  /** Told of every session this store ends. */
  onEnded?: OnSessionEnded;
}

/**
 * The in-memory session store (development default). Every operation runs to completion
 * synchronously inside its promise, so each state change is atomic like a Lua script.
 */
export function createMemoryStore({ policy, bus, onEnded }: MemoryStoreOptions): SessionStore {
  const sessions = new Map<string, StoredSession>();

  /** The session if it is still readable at `nowMs`; drops it otherwise (like a key TTL). */
  function readable(sessionId: string, nowMs: number): StoredSession | undefined {
    const session = sessions.get(sessionId);
    if (session && nowMs >= readableUntilMs(session, policy)) {
      sessions.delete(sessionId);
      return undefined;
    }
    return session;
  }

  function sweep(nowMs: number): void {
    for (const sessionId of sessions.keys()) readable(sessionId, nowMs);
  }

  /** Ends a session and publishes the revocation (every revocation is published by the store). */
  function end(session: StoredSession, reason: RevocationReason): RevocationEvent {
    const state = reason === "expired" ? "expired" : "revoked";
    sessions.set(session.sessionId, { ...session, state, revokeReason: reason });
    const event: RevocationEvent = { sid: session.sessionId, reason, until: revokedUntil(session.lastAccessExpiresAt, policy) };
    bus.publish(event);
    try {
      onEnded?.({ ...event, agentId: session.agentId, townId: session.townId, clientId: session.clientId });
    } catch {
      // an observer's failure must not undo or fail the revocation
    }
    return event;
  }

  /** Revokes one readable session: 1 when it was live, 0 when it had already ended. */
  function revokeOne(session: StoredSession, reason: RevocationReason, nowMs: number): 0 | 1 {
    if (session.state !== "active") return 0;
    if (isPastEnd(session, nowMs)) {
      end(session, "expired");
      return 0;
    }
    end(session, reason);
    return 1;
  }

  return {
    async create(input: NewSession): Promise<CreatedSession> {
      sweep(input.nowMs);
      const session = newStoredSession(input, policy);
      sessions.set(session.sessionId, session);
      return { session: toRecord(session, input.nowMs), accessExpiresAt: session.lastAccessExpiresAt };
    },

    async get(sessionId: string, nowMs: number): Promise<SessionRecord | undefined> {
      const session = readable(sessionId, nowMs);
      return session && toRecord(session, nowMs);
    },

    async rotate(input: RotateInput): Promise<RotateResult> {
      const decision = decideRotation(readable(input.sessionId, input.nowMs), input, refreshDeadlines(input.nowMs, policy));
      const session = sessions.get(input.sessionId);
      switch (decision.kind) {
        case "invalid":
          return { outcome: "invalid", reason: decision.reason };
        case "expire":
          return { outcome: "expired", revocation: end(session!, "expired") };
        case "reuse":
          return { outcome: "reuse_detected", revocation: end(session!, "reuse_detected") };
        case "rotate":
        case "grace": {
          sessions.set(input.sessionId, decision.next);
          const outcome = decision.kind === "rotate" ? "rotated" : "grace_replay";
          return {
            outcome,
            generation: decision.next.generation,
            scope: issuedScope(input.requestedScope, decision.next.scope),
            accessExpiresAt: decision.accessExpiresAt,
            session: toRecord(decision.next, input.nowMs),
          };
        }
      }
    },

    async revoke(sessionId: string, reason: RevocationReason, nowMs: number) {
      const session = readable(sessionId, nowMs);
      if (!session) return { known: false, revoked: false };
      return { known: true, revoked: revokeOne(session, reason, nowMs) === 1 };
    },

    async revokeWhere(filter: SessionFilter, reason: RevocationReason, nowMs: number): Promise<number> {
      const entry = singleFilterEntry(filter);
      let count = 0;
      for (const sessionId of [...sessions.keys()]) {
        const session = readable(sessionId, nowMs);
        if (session && matchesFilter(session, [entry])) count += revokeOne(session, reason, nowMs);
      }
      return count;
    },

    async list(filter: SessionFilter, limit: number, cursor: string | null, nowMs: number): Promise<SessionPage> {
      checkLimit(limit);
      const position = decodeCursor(cursor);
      const entries = filterEntries(filter);
      const matching: StoredSession[] = [];
      for (const sessionId of [...sessions.keys()]) {
        const session = readable(sessionId, nowMs);
        if (session && matchesFilter(session, entries)) matching.push(session);
      }
      const { page, nextCursor } = pageOf(matching, limit, position);
      return { sessions: page.map((s) => toRecord(s, nowMs)), nextCursor };
    },

    async countLive(nowMs: number): Promise<number> {
      let live = 0;
      for (const sessionId of [...sessions.keys()]) {
        const session = readable(sessionId, nowMs);
        if (session && isLive(session, nowMs)) live += 1;
      }
      return live;
    },

    async ping(): Promise<boolean> {
      return true;
    },

    async dump(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const session of sessions.values()) Object.assign(out, serializeMemorySession(session));
      return out;
    },

    async close(): Promise<void> {
      sessions.clear();
    },
  };
}
