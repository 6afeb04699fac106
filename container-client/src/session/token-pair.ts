import { InvalidTokenPairError } from "../errors.js";

/**
 * What the auth-service answers at dispatch and on every refresh, and what the worker
 * pushes into a running agent: one session's current access and refresh token.
 *
 * @example
 * ```ts
 * const pair: TokenPair = { access_token: "eyJ...", refresh_token: "gtr_...", expires_in: 3600, session_id: "s1" };
 * ```
 */
export interface TokenPair {
  /** The access JWT sent as `Authorization: Bearer`. */
  access_token: string;
  /** The opaque rotating refresh token (`gtr_...`); it never leaves the supervisor's memory. */
  refresh_token: string;
  /** Seconds the access token lives, counted from when the pair was received. */
  expires_in: number;
  /** The session (token family) id, the access token's `sid`. */
  session_id: string;
}

const MAX_TOKEN_LENGTH = 8192;

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_TOKEN_LENGTH) {
    throw new InvalidTokenPairError(`${name} must be a non-empty string of at most ${MAX_TOKEN_LENGTH} characters`);
  }
  return value;
}

/**
 * Checks that `value` is a token pair and returns a copy holding only its four fields.
 * Throws `InvalidTokenPairError` naming the first bad field.
 */
export function parseTokenPair(value: unknown, fallbackSessionId?: string): TokenPair {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidTokenPairError("tokens must be an object {access_token, refresh_token, expires_in, session_id}");
  }
  const record = value as Record<string, unknown>;
  const expiresIn = record.expires_in;
  if (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn < 0) {
    throw new InvalidTokenPairError("expires_in must be a non-negative number of seconds");
  }
  const sessionId = record.session_id ?? fallbackSessionId;
  return {
    access_token: nonEmptyString(record.access_token, "access_token"),
    refresh_token: nonEmptyString(record.refresh_token, "refresh_token"),
    expires_in: expiresIn,
    session_id: nonEmptyString(sessionId, "session_id"),
  };
}
