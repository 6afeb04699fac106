import { EventEmitter } from "node:events";

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

/** Parses a revocation message; `undefined` for anything malformed. */
export function parseRevocationEvent(raw: string): RevocationEvent | undefined {
  try {
    const value = JSON.parse(raw) as Partial<RevocationEvent>;
    if (typeof value.sid === "string" && value.sid.length > 0 && isRevocationReason(value.reason) && Number.isFinite(value.until)) {
      return { sid: value.sid, reason: value.reason, until: Number(value.until) };
    }
  } catch {
    // malformed: ignored by the caller
  }
  return undefined;
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
