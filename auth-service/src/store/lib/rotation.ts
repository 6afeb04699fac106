import { capAtSessionEnd, isPastSessionEnd, type RefreshDeadlines } from "@gastown/token-policy";
import type { InvalidReason, RotateInput } from "../types.js";
import { isScopeSubset } from "./scope.js";
import type { StoredSession } from "./stored-session.js";

/**
 * What a refresh does to a session, decided from the session alone. The memory store
 * applies it; `redis/scripts/rotate-1.lua` makes the same decisions in the same order, from
 * the same `refreshDeadlines` (token-policy) passed as its arguments.
 */
export type RotationDecision =
  | { kind: "invalid"; reason: InvalidReason }
  | { kind: "expire" }
  | { kind: "reuse" }
  | { kind: "rotate"; next: StoredSession; accessExpiresAt: number }
  | { kind: "grace"; next: StoredSession; accessExpiresAt: number };

export function decideRotation(session: StoredSession | undefined, input: RotateInput, deadlines: RefreshDeadlines): RotationDecision {
  if (!session) return { kind: "invalid", reason: "unknown_session" };
  if (session.state !== "active") return { kind: "invalid", reason: "not_active" };
  // Another client's token is invalid_grant before anything else is looked at: it must
  // not be able to trigger reuse detection (RFC 6749 §6: bound to the client).
  if (session.clientId !== input.clientId) return { kind: "invalid", reason: "client_mismatch" };
  if (!isScopeSubset(input.requestedScope, session.scope)) return { kind: "invalid", reason: "scope_widened" };
  // A genuine token newer than the store knows: the store lost writes; change nothing.
  if (input.presentedGeneration > session.generation) return { kind: "invalid", reason: "future_generation" };
  if (isPastSessionEnd(session, deadlines)) return { kind: "expire" };

  const nowSec = deadlines.nowSec;
  const accessExpiresAt = capAtSessionEnd(deadlines.accessExpiry, session.expiresAt);
  if (input.presentedGeneration === session.generation) {
    const next: StoredSession = {
      ...session,
      generation: session.generation + 1,
      lastRefreshAt: nowSec,
      idleExpiresAt: capAtSessionEnd(deadlines.idleEnd, session.expiresAt),
      rotatedAtMs: input.nowMs,
      lastAccessExpiresAt: Math.max(session.lastAccessExpiresAt, accessExpiresAt),
    };
    return { kind: "rotate", next, accessExpiresAt };
  }
  // Retry-safe rotation (invariant 2): the previous token inside the grace window, measured
  // on the server clock from the rotation (clock tolerance does not extend it), gets the
  // same successor generation and a fresh access token; nothing else advances.
  if (input.presentedGeneration === session.generation - 1 && session.rotatedAtMs > 0 && session.rotatedAtMs >= deadlines.graceStartMs) {
    const next: StoredSession = { ...session, lastAccessExpiresAt: Math.max(session.lastAccessExpiresAt, accessExpiresAt) };
    return { kind: "grace", next, accessExpiresAt };
  }
  // RFC 9700 §4.14.2: an older refresh token, or the previous one after grace, means the
  // family leaked; revoke the whole session.
  return { kind: "reuse" };
}
