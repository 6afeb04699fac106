import type { RevocationEvent, RevocationReason, Role } from "@gastown/token-policy";

/**
 * The session store: one "family" per dispatch of an agent. Implemented twice, on Redis
 * (`store/redis/`, one Lua script per state change) and in memory (`store/memory/`, the
 * development default), and tested by one contract suite (`test/store-contract.ts`).
 *
 * The store never sees a token. A refresh token is `gtr_<sessionId>.<generation>.<mac>`;
 * the token endpoint checks the MAC (HMAC under AUTH_TOKEN_SECRET) before it asks the
 * store anything, then hands the store only the session id and the generation.
 * Every revocation the store makes (admin, client, reuse, expiry) is published by the
 * store itself: Redis pub/sub on `<prefix>revocations` plus the `<prefix>revoked` sorted
 * set, or the in-process bus.
 * Times: `nowMs` in, Unix seconds out (except `rotatedAtMs`).
 */
export type SessionState = "active" | "revoked" | "expired";

export interface SessionRecord {
  sessionId: string;
  agentId: string;
  rigId: string | null;
  townId: string;
  userId: string;
  role: Role;
  /** The scope granted at dispatch ("never widen" is measured against it). */
  scope: string;
  clientId: string;
  /** Computed at read time: an active session past its idle or absolute end reads `expired`. */
  state: SessionState;
  revokeReason: RevocationReason | null;
  createdAt: number;
  lastRefreshAt: number | null;
  /** Generation of the current refresh token (0 at dispatch). */
  generation: number;
  idleExpiresAt: number;
  expiresAt: number;
  /** Latest `exp` of any access token issued for this session. */
  lastAccessExpiresAt: number;
}

/** A session to create: its identity and granted scope, as it will read (`SessionRecord`). */
export interface NewSession extends Pick<SessionRecord, "sessionId" | "agentId" | "rigId" | "townId" | "userId" | "role" | "scope" | "clientId"> {
  nowMs: number;
}

/** What the dispatch grant needs back: the session as created, generation 0. */
export interface CreatedSession {
  session: SessionRecord;
  /** `exp` for the first access token (capped at the session's end). */
  accessExpiresAt: number;
}

export interface RotateInput {
  sessionId: string;
  /** Generation read from the presented (MAC-verified) refresh token. */
  presentedGeneration: number;
  /** The client presenting it; another client's token is `invalid`, nothing changes. */
  clientId: string;
  /** Narrower scope asked for (already checked to be known scope names), or null. */
  requestedScope: string | null;
  nowMs: number;
}

export type InvalidReason =
  | "unknown_session" // never existed, or gone (Redis lost it)
  | "not_active" // revoked or expired before this request
  | "client_mismatch"
  | "scope_widened"
  | "future_generation"; // newer than the current one: the store lost writes

export type RotateResult =
  /** The presented token was current: the generation advanced to `generation`. */
  | { outcome: "rotated"; generation: number; scope: string; accessExpiresAt: number; session: SessionRecord }
  /** The immediately previous token inside the grace window: same successor `generation`, fresh access token. */
  | { outcome: "grace_replay"; generation: number; scope: string; accessExpiresAt: number; session: SessionRecord }
  /** An older genuine token, or the previous one after grace: the session is now revoked (published). RFC 9700 §4.14.2 */
  | { outcome: "reuse_detected"; revocation: RevocationEvent }
  /** The session reached its idle or absolute end with this request: now expired (published). */
  | { outcome: "expired"; revocation: RevocationEvent }
  /** Nothing changed. */
  | { outcome: "invalid"; reason: InvalidReason };

export interface SessionFilter {
  agentId?: string;
  rigId?: string;
  townId?: string;
  userId?: string;
}

export interface SessionPage {
  sessions: SessionRecord[];
  nextCursor: string | null;
}

/** A session the store has just ended (every revocation it publishes), with whose it was. */
export interface EndedSession extends RevocationEvent {
  agentId?: string;
  townId?: string;
  clientId?: string;
}

/** Told of every session the store ends (audit trail, metrics); must not throw or block. */
export type OnSessionEnded = (ended: EndedSession) => void;

export interface SessionStore {
  /** Creates a session (generation 0) with times from the policy. */
  create(input: NewSession): Promise<CreatedSession>;
  /** Reads one session, `undefined` when unknown or no longer readable. */
  get(sessionId: string, nowMs: number): Promise<SessionRecord | undefined>;
  /** Refresh grant: atomically checks state and generation and advances it (invariants 1-3). */
  rotate(input: RotateInput): Promise<RotateResult>;
  /** Revokes one session if it is live; publishes. `revoked` is false when it was already ended; `known` false when unknown. */
  revoke(sessionId: string, reason: RevocationReason, nowMs: number): Promise<{ known: boolean; revoked: boolean }>;
  /** Revokes every live session matching the filter (exactly one field set); answers how many were live. */
  revokeWhere(filter: SessionFilter, reason: RevocationReason, nowMs: number): Promise<number>;
  /** Lists sessions (AND of the filter's fields), newest first, paged by an opaque cursor. */
  list(filter: SessionFilter, limit: number, cursor: string | null, nowMs: number): Promise<SessionPage>;
  /** How many sessions are active and not past their ends (the live-sessions gauge). */
  countLive(nowMs: number): Promise<number>;
  /** Is the backing store reachable? */
  ping(): Promise<boolean>;
  /** Every key and value the store holds (tests: compare before/after, search for secrets). */
  dump(): Promise<Record<string, string>>;
  close(): Promise<void>;
}
