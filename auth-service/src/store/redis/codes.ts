import type { RevocationEvent, RevocationReason } from "@gastown/token-policy";
import { StoreError } from "../errors.js";
import { issuedScope } from "../lib/scope.js";
import { toRecord } from "../lib/stored-session.js";
import type { InvalidReason, RotateInput, RotateResult } from "../types.js";
import type { RotateReply } from "./commands.js";
import { fromHash, pairsToObject } from "./hash.js";

const INVALID: Record<number, InvalidReason> = {
  [-1]: "unknown_session",
  [-2]: "not_active",
  [-3]: "client_mismatch",
  [-4]: "scope_widened",
  [-5]: "future_generation",
};

const ENDED: Record<number, RevocationReason> = { 3: "reuse_detected", 4: "expired" };

/** Maps a `rotate-1.lua` reply to the store's outcome (the one place its codes are read). */
export function rotateOutcome(reply: RotateReply, input: RotateInput): RotateResult {
  const [code, generation, accessExpiresAt, until] = reply.slice(0, 4).map(Number);
  const invalid = INVALID[code ?? 0];
  if (invalid) return { outcome: "invalid", reason: invalid };
  const reason = ENDED[code ?? 0];
  if (reason) {
    const revocation: RevocationEvent = { sid: input.sessionId, reason, until: until! };
    return { outcome: reason === "expired" ? "expired" : "reuse_detected", revocation };
  }
  if (code === 1 || code === 2) {
    const session = fromHash(input.sessionId, pairsToObject(reply.slice(4)));
    if (!session) throw new StoreError("ERR_STORE_SCRIPT", "rotate script answered no session");
    return {
      outcome: code === 1 ? "rotated" : "grace_replay",
      generation: generation!,
      scope: issuedScope(input.requestedScope, session.scope),
      accessExpiresAt: accessExpiresAt!,
      session: toRecord(session, input.nowMs),
    };
  }
  throw new StoreError("ERR_STORE_SCRIPT", `rotate script answered unknown code ${String(code)}`);
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
