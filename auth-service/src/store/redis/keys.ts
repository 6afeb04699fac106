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
  /** Set of the session ids with this agent/rig/town/user id. */
  index(field: FilterField, value: string): string;
  /** Sorted set of every session id, scored by creation time (epoch ms), for listing. */
  byCreation: string;
  /** Sorted set of revoked session ids scored by `until` (resync, DESIGN.md invariant 4). */
  revoked: string;
  /** A revoked session's reason (string, expires at `until`; the session's hash tag), for resync. */
  revokedReason(sessionId: string): string;
  /** Pub/sub channel of revocation messages. */
  channel: string;
}

export function redisKeys(prefix: string): RedisKeys {
  const sessionStart = `${prefix}session:{`;
  return {
    prefix,
    session: (sessionId) => `${sessionStart}${sessionId}}`,
    sessionIdOf: (key) => (key.startsWith(sessionStart) && key.endsWith("}") ? key.slice(sessionStart.length, -1) : undefined),
    index: (field, value) => `${prefix}sessions:${INDEX_NAMES[field]}:${value}`,
    byCreation: `${prefix}sessions:by-created`,
    revoked: revokedSetKey(prefix),
    revokedReason: (sessionId) => revokedReasonKey(prefix, sessionId),
    channel: revocationChannel(prefix),
  };
}
