/**
 * The one builder of every `WWW-Authenticate: Bearer` challenge the worker-api sends
 * (RFC 6750 §3). Values of `error`, `error_description` and `scope` may hold only
 * %x20-21 / %x23-5B / %x5D-7E (no `"`, no `\`, nothing outside printable ASCII); a
 * quoted-string cannot escape its way around that, so anything else is replaced with `?`
 * here, whoever wrote the text. `scope` is space-delimited scope tokens (%x21 / %x23-5B /
 * %x5D-7E each).
 */

/** RFC 6750 §3.1 error codes. */
export type BearerErrorCode = "invalid_request" | "invalid_token" | "insufficient_scope";

export interface BearerChallengeParams {
  error?: BearerErrorCode;
  error_description?: string;
  /** The scope the request needs (with insufficient_scope). */
  scope?: string;
}

/** RFC 6750 §3: the characters a challenge parameter's value may hold. */
export const CHALLENGE_VALUE_CHARS = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;
const OUTSIDE_VALUE_CHARS = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

function value(text: string): string {
  return text.replace(OUTSIDE_VALUE_CHARS, "?");
}

/** Scope tokens are 1*(%x21 / %x23-5B / %x5D-7E), one space between them. */
function scopeValue(scope: string): string {
  return value(scope)
    .split(" ")
    .filter((token) => token.length > 0)
    .join(" ");
}

/** `Bearer` alone (no credentials, RFC 6750 §3.1), or `Bearer name="value", ...`. */
export function bearerChallenge(params: BearerChallengeParams = {}): string {
  const parts: string[] = [];
  if (params.error !== undefined) parts.push(`error="${value(params.error)}"`);
  if (params.error_description !== undefined) parts.push(`error_description="${value(params.error_description)}"`);
  if (params.scope !== undefined) parts.push(`scope="${scopeValue(params.scope)}"`);
  return parts.length === 0 ? "Bearer" : `Bearer ${parts.join(", ")}`;
}
