import { isRole, type RevocationEvent, type RevocationReason, unixSeconds } from "@gastown/token-policy";
import { StoreError } from "../errors.js";
import { issuedScope } from "../lib/scope.js";
import type { EndedSession, InvalidReason, RotateInput, RotateResult, SessionRecord } from "../types.js";
import type { RotateReply } from "./commands.js";

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
