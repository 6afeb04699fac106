import { revocationChannel, revokedReasonKey, revokedSetKey } from "@gastown/token-policy";
import type { FilterField } from "../lib/filter.js";

const INDEX_NAMES: Record<FilterField, string> = { agentId: "agent", rigId: "rig", townId: "town", userId: "user" };

/** Every key and channel name of the Redis store, under one prefix. */
export interface RedisKeys {
  prefix: string;
  /** One hash per session; the hash tag `{sid}` keeps a session's keys in one Cluster slot. */
  session(sessionId: string): string;
  /** The session id of a session key, or undefined for any other key. */
  sessionIdOf(key: string): string | undefined;
  /** Set of the session ids with this agent/rig/town/user id (its own hash tag, e.g. `{town:<id>}`). */
  index(field: FilterField, value: string): string;
  /** Sorted set of every session id, scored by creation time (epoch ms), for listing. */
  byCreation: string;
  /**
   * Sorted set of the live session ids scored by when they stop being live (idle end, capped
   * by the absolute end, epoch ms): the live-sessions gauge is one ZCOUNT (issue 14).
   */
  live: string;
  /** Sorted set of revoked session ids scored by `until` (resync, DESIGN.md invariant 4). */
  revoked: string;
  /** A revoked session's reason (string, expires at `until`; the session's hash tag), for resync. */
  revokedReason(sessionId: string): string;
  /** Pub/sub channel of revocation messages. */
  channel: string;
}

/**
 * Every key names its own hash tag, so each script and each command touches one Redis
 * Cluster slot: a session's keys `{<sid>}`, each index `{agent:<id>}` (town, rig, user
 * alike), the listing, live and revoked sets their own key. A prefix with a brace would
 * put its own tag first and every key in one slot, so it is refused.
 */
export function redisKeys(prefix: string): RedisKeys {
  if (/[{}]/.test(prefix)) throw new Error(`REDIS_PREFIX must not contain { or } (it would become every key's hash tag): ${JSON.stringify(prefix)}`);
  const sessionStart = `${prefix}session:{`;
  return {
    prefix,
    session: (sessionId) => `${sessionStart}${sessionId}}`,
    sessionIdOf: (key) => (key.startsWith(sessionStart) && key.endsWith("}") ? key.slice(sessionStart.length, -1) : undefined),
    index: (field, value) => `${prefix}sessions:{${INDEX_NAMES[field]}:${value}}`,
    byCreation: `${prefix}sessions:by-created`,
    live: `${prefix}sessions:live`,
    revoked: revokedSetKey(prefix),
    revokedReason: (sessionId) => revokedReasonKey(prefix, sessionId),
    channel: revocationChannel(prefix),
  };
}
