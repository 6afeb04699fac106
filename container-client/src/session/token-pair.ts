import type { TokenPair } from "@gastown/service-kit";
import { InvalidTokenPairError } from "../errors.js";

/** The wire token pair (service-kit): `{access_token, refresh_token, expires_in, session_id}`. */
export type { TokenPair };

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
