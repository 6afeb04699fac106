import type { StoredSession } from "../lib/stored-session.js";

/** Serializes a session the way the Redis store's dump serializes its hash: sorted fields, string values. */
export function serializeMemorySession(session: StoredSession): Record<string, string> {
  const fields = Object.entries(session)
    .filter(([name]) => name !== "sessionId")
    .map(([name, value]) => [name, value === null ? "" : String(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { [`session:{${session.sessionId}}`]: JSON.stringify(Object.fromEntries(fields)) };
}
