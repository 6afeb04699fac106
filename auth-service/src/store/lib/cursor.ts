import { StoreError } from "../errors.js";
import type { StoredSession } from "./stored-session.js";

/** Position in the newest-first order: creation time (ms), ties broken by session id (descending). */
export interface ListPosition {
  createdAtMs: number;
  sessionId: string;
}

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAtMs, position.sessionId])).toString("base64url");
}

export function decodeCursor(cursor: string | null): ListPosition | null {
  if (cursor === null || cursor === "") return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === "string") {
      return { createdAtMs: value[0], sessionId: value[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new StoreError("ERR_STORE_INVALID_CURSOR", "malformed list cursor");
}

/** Newest first: negative when `a` comes before `b`. */
export function newestFirst(a: ListPosition, b: ListPosition): number {
  if (a.createdAtMs !== b.createdAtMs) return b.createdAtMs - a.createdAtMs;
  return a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : 0;
}

/** Does `session` come strictly after the cursor position? */
export function isAfter(session: ListPosition, position: ListPosition | null): boolean {
  return position === null || newestFirst(position, session) < 0;
}

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new StoreError("ERR_STORE_INVALID_LIMIT", `list limit must be a positive integer, got ${limit}`);
  }
}

/** Sorts, applies the cursor and the limit; answers the page and the next cursor. */
export function pageOf(sessions: StoredSession[], limit: number, position: ListPosition | null): { page: StoredSession[]; nextCursor: string | null } {
  const ordered = sessions.filter((s) => isAfter(s, position)).sort(newestFirst);
  const page = ordered.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: ordered.length > limit && last ? encodeCursor(last) : null };
}
