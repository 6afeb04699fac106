import { isRevocationReason, isRole } from "@gastown/token-policy";
import { StoreError } from "../errors.js";
import type { StoredSession } from "../lib/stored-session.js";
import type { SessionState } from "../types.js";

const STATES: readonly SessionState[] = ["active", "revoked", "expired"];

/** Pairs of a flat HGETALL-style reply, as an object. */
export function pairsToObject(items: readonly (string | number)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < items.length; i += 2) out[String(items[i])] = String(items[i + 1]);
  return out;
}

function integer(hash: Record<string, string>, field: string, sessionId: string): number {
  const value = Number(hash[field]);
  if (hash[field] === undefined || hash[field] === "" || !Number.isSafeInteger(value)) {
    throw new StoreError("ERR_STORE_CORRUPT", `session ${sessionId}: field ${field} is not an integer`);
  }
  return value;
}

/** The session a hash holds; `undefined` for an empty hash (the key is gone). */
export function fromHash(sessionId: string, hash: Record<string, string>): StoredSession | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const { agent, rig, town, user, role, scope, client, state, reason, refreshed } = hash;
  if (agent === undefined || town === undefined || user === undefined || scope === undefined || client === undefined) {
    throw new StoreError("ERR_STORE_CORRUPT", `session ${sessionId}: missing fields`);
  }
  if (!isRole(role) || !STATES.includes(state as SessionState) || !(reason === "" || isRevocationReason(reason))) {
    throw new StoreError("ERR_STORE_CORRUPT", `session ${sessionId}: bad role, state or reason`);
  }
  return {
    sessionId,
    agentId: agent,
    rigId: rig ? rig : null,
    townId: town,
    userId: user,
    role,
    scope,
    clientId: client,
    state: state as SessionState,
    revokeReason: reason === "" || reason === undefined ? null : reason,
    createdAtMs: integer(hash, "created", sessionId),
    lastRefreshAt: refreshed ? integer(hash, "refreshed", sessionId) : null,
    generation: integer(hash, "gen", sessionId),
    idleExpiresAt: integer(hash, "idle", sessionId),
    expiresAt: integer(hash, "exp", sessionId),
    lastAccessExpiresAt: integer(hash, "accessExp", sessionId),
    rotatedAtMs: integer(hash, "rotatedMs", sessionId),
  };
}
