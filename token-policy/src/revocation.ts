import { EventEmitter } from "node:events";
import { isSessionId } from "./claims.js";
import type { TokenPolicy } from "./config.js";

/** Why a session ended (DESIGN.md "Revocation reasons"). */
export const REVOCATION_REASONS = ["admin", "client", "reuse_detected", "expired", "superseded"] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** Reasons after which the worker renews an agent by a fresh dispatch; the others stop it. */
export const RENEWABLE_REASONS: readonly RevocationReason[] = ["reuse_detected", "expired"];

/** One revocation as published: `until` (Unix seconds) is when its last access token expires. */
export interface RevocationEvent {
  sid: string;
  reason: RevocationReason;
  until: number;
}

/** Pub/sub channel of revocation messages. */
export function revocationChannel(prefix: string): string {
  return `${prefix}revocations`;
}

/** Sorted set of revoked session ids, scored by `until`, for resync. */
export function revokedSetKey(prefix: string): string {
  return `${prefix}revoked`;
}

/**
 * A revoked session's reason, `<prefix>revoked:{<sid>}` (the session's hash tag: one
 * Cluster slot with its session), kept until `until`: an instance that learns of a
 * revocation by resync, not by its message, reads why it ended (DESIGN.md "Revocation reasons").
 */
export function revokedReasonKey(prefix: string, sessionId: string): string {
  return `${prefix}revoked:{${sessionId}}`;
}

/** Reasons that end an agent for good: the worker stops it, never renews it. */
export function isFinalRevocation(reason: RevocationReason | undefined): boolean {
  return reason === "admin" || reason === "client";
}

export function isRevocationReason(value: unknown): value is RevocationReason {
  return typeof value === "string" && (REVOCATION_REASONS as readonly string[]).includes(value);
}

/** Why a revocation message (or a revoked-set entry) was refused (metrics label). */
export type RevocationProblem = "malformed" | "sid" | "reason" | "until";
export const REVOCATION_PROBLEMS: readonly RevocationProblem[] = ["malformed", "sid", "reason", "until"];

export type RevocationCheck = { ok: true; event: RevocationEvent } | { ok: false; problem: RevocationProblem };

/**
 * The latest `until` a genuine revocation can carry, seen at `nowSec` on the receiver's
 * clock: the auth-service sets `until` to the session's last `exp` plus the clock tolerance
 * (`revokedUntil`), and `exp` is at most its now plus the access token lifetime; its clock may
 * run ahead of ours by up to the same tolerance the verifier grants. Anything later would
 * hold a session id (memory) beyond any token it could refuse.
 */
export function latestRevocationUntil(nowSec: number, policy: Pick<TokenPolicy, "accessTokenTtl" | "clockTolerance">): number {
  return nowSec + policy.accessTokenTtl + 2 * policy.clockTolerance;
}

/**
 * Checks a revoked session id and its `until` (from a message or the revoked set): a `sid` of
 * the session-id shape, an `until` a whole number of seconds no later than `maxUntil`
 * (`latestRevocationUntil`). `undefined` when both hold.
 */
export function revokedEntryProblem(sid: unknown, until: unknown, maxUntil: number): RevocationProblem | undefined {
  if (!isSessionId(sid)) return "sid";
  if (typeof until !== "number" || !Number.isSafeInteger(until) || until < 0 || until > maxUntil) return "until";
  return undefined;
}

/** The message's structure: a JSON object, a non-empty `sid`, a known reason, a whole `until`. */
function readRevocation(raw: string): RevocationCheck {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, problem: "malformed" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, problem: "malformed" };
  const { sid, reason, until } = value as Record<string, unknown>;
  if (typeof sid !== "string" || sid.length === 0) return { ok: false, problem: "sid" };
  if (!isRevocationReason(reason)) return { ok: false, problem: "reason" };
  if (typeof until !== "number" || !Number.isSafeInteger(until) || until < 0) return { ok: false, problem: "until" };
  return { ok: true, event: { sid, reason, until } };
}

/**
 * Parses and validates a revocation message before anything acts on it (a hostile or broken
 * publisher must neither stop agents with made-up ids nor pin memory with a far `until`): a
 * JSON object `{sid, reason, until}` with a known reason and no `revokedEntryProblem` at
 * `nowSec` (the receiver's clock).
 */
export function parseRevocationMessage(raw: string, nowSec: number, policy: TokenPolicy): RevocationCheck {
  const read = readRevocation(raw);
  if (!read.ok) return read;
  const problem = revokedEntryProblem(read.event.sid, read.event.until, latestRevocationUntil(nowSec, policy));
  return problem ? { ok: false, problem } : read;
}

/**
 * The structure of a revocation message without the session-id shape or the `until` bound,
 * `undefined` when malformed: for tools and tests that look at what a store publishes. A
 * subscriber that acts on messages uses `parseRevocationMessage`.
 */
export function parseRevocationEvent(raw: string): RevocationEvent | undefined {
  const read = readRevocation(raw);
  return read.ok ? read.event : undefined;
}

/**
 * The in-process revocation feed used when there is no Redis (development): the
 * in-memory store publishes here and a worker-api in the same process subscribes.
 * It keeps every event until its `until`, like the Redis sorted set, for resync.
 */
export class InProcessRevocationBus {
  readonly #events = new EventEmitter();
  readonly #revoked = new Map<string, RevocationEvent>();

  constructor() {
    this.#events.setMaxListeners(0);
  }

  publish(event: RevocationEvent): void {
    const known = this.#revoked.get(event.sid);
    if (!known || known.until < event.until) this.#revoked.set(event.sid, event);
    this.#events.emit("revocation", event);
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (event: RevocationEvent) => void): () => void {
    this.#events.on("revocation", listener);
    return () => this.#events.off("revocation", listener);
  }

  /** Every revocation whose access tokens may still be alive at `nowSec`. */
  revokedSince(nowSec: number): RevocationEvent[] {
    const live: RevocationEvent[] = [];
    for (const [sid, event] of this.#revoked) {
      if (event.until < nowSec) this.#revoked.delete(sid);
      else live.push(event);
    }
    return live;
  }
}
