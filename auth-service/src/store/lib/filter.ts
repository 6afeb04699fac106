import { StoreError } from "../errors.js";
import type { SessionFilter } from "../types.js";
import type { StoredSession } from "./stored-session.js";

export const FILTER_FIELDS = ["agentId", "rigId", "townId", "userId"] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** The fields set in a filter (empty strings count as absent). */
export function filterEntries(filter: SessionFilter): [FilterField, string][] {
  const entries: [FilterField, string][] = [];
  for (const field of FILTER_FIELDS) {
    const value = filter[field];
    if (value !== undefined && value !== "") entries.push([field, value]);
  }
  return entries;
}

/** revokeWhere takes exactly one field: a mass revocation never happens by accident. */
export function singleFilterEntry(filter: SessionFilter): [FilterField, string] {
  const entries = filterEntries(filter);
  const [only] = entries;
  if (entries.length !== 1 || !only) {
    throw new StoreError("ERR_STORE_INVALID_FILTER", `a revocation filter needs exactly one field, got ${entries.length}`);
  }
  return only;
}

export function matchesFilter(session: StoredSession, entries: readonly [FilterField, string][]): boolean {
  return entries.every(([field, value]) => session[field] === value);
}
