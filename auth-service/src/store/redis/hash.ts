import { isRevocationReason, isRole } from "@gastown/token-policy";
import { StoreError } from "../errors.js";
import type { StoredSession } from "../lib/stored-session.js";
import type { SessionState } from "../types.js";

const STATES: readonly SessionState[] = ["active", "revoked", "expired"];

/**
 * Field names of the session hash. Short on purpose: with its index entries a session must
 * stay under 1 KiB of Redis memory. The Lua scripts use the same names (see their headers).
 */
export const FIELDS = {
  agentId: "a",
  rigId: "r",
  townId: "t",
  userId: "u",
  role: "ro",
  scope: "sc",
  clientId: "c",
  state: "s",
  revokeReason: "re",
  createdAtMs: "cr",
  lastRefreshAt: "lr",
  generation: "g",
  idleExpiresAt: "i",
  expiresAt: "e",
  lastAccessExpiresAt: "ae",
  rotatedAtMs: "rm",
} as const satisfies Record<Exclude<keyof StoredSession, "sessionId">, string>;

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
  const agent = hash[FIELDS.agentId];
  const rig = hash[FIELDS.rigId];
  const town = hash[FIELDS.townId];
  const user = hash[FIELDS.userId];
  const role = hash[FIELDS.role];
  const scope = hash[FIELDS.scope];
  const client = hash[FIELDS.clientId];
  const state = hash[FIELDS.state];
  const reason = hash[FIELDS.revokeReason];
  const refreshed = hash[FIELDS.lastRefreshAt];
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
    createdAtMs: integer(hash, FIELDS.createdAtMs, sessionId),
    lastRefreshAt: refreshed ? integer(hash, FIELDS.lastRefreshAt, sessionId) : null,
    generation: integer(hash, FIELDS.generation, sessionId),
    idleExpiresAt: integer(hash, FIELDS.idleExpiresAt, sessionId),
    expiresAt: integer(hash, FIELDS.expiresAt, sessionId),
    lastAccessExpiresAt: integer(hash, FIELDS.lastAccessExpiresAt, sessionId),
    rotatedAtMs: integer(hash, FIELDS.rotatedAtMs, sessionId),
  };
}
