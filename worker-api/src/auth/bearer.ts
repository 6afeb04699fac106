/**
 * RFC 6750 §2.1 Authorization header parsing:
 *   credentials = "Bearer" 1*SP b64token
 *   b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * The scheme is case-insensitive (RFC 9110 §11.1); trailing spaces are tolerated.
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** An auth-scheme token followed by a space or the end (RFC 9110 §11.4). */
const SCHEME = /^([A-Za-z][A-Za-z0-9!#$%&'*+\-.^_`|~]*)(?: |$)/;

/** No credentials, or credentials of another scheme: answered with the bare challenge (RFC 6750 §3.1). */
export const NOT_BEARER = Symbol("not bearer");
/** The Bearer scheme with something that is not a b64token: invalid_token. */
export const MALFORMED = Symbol("malformed bearer credentials");

const SPACE = 0x20;
const BEARER_LOWER = "bearer";

/** Does `header` start with "Bearer " (any case)? Compared char by char: no regex, no copy. */
function startsWithBearer(header: string): boolean {
  if (header.length < 8 || header.charCodeAt(6) !== SPACE) return false;
  for (let i = 0; i < 6; i++) {
    // ASCII letters: setting bit 0x20 lower-cases them; other characters cannot match.
    if ((header.charCodeAt(i) | 0x20) !== BEARER_LOWER.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The token candidate of a Bearer header, with its syntax NOT yet checked: the caller
 * looks it up in the verified-token cache first (a hit is the identical string of a token
 * that passed `isB64Token` and full verification) and calls `isB64Token` before verifying
 * anything else. Another scheme or no header: `NOT_BEARER`; "Bearer" without a token:
 * `MALFORMED`.
 */
export function bearerCandidate(header: string): string | typeof NOT_BEARER | typeof MALFORMED {
  if (startsWithBearer(header)) {
    let start = 7;
    while (header.charCodeAt(start) === SPACE) start++;
    let end = header.length;
    while (end > start && header.charCodeAt(end - 1) === SPACE) end--;
    return end > start ? header.slice(start, end) : MALFORMED;
  }
  // Rare forms ("bearer" alone, other schemes, no header) take the general path.
  const scheme = SCHEME.exec(header)?.[1];
  if (header === "" || scheme === undefined || scheme.toLowerCase() !== BEARER_LOWER) return NOT_BEARER;
  return MALFORMED;
}

/** RFC 6750 §2.1 b64token syntax. */
export function isB64Token(candidate: string): boolean {
  return B64TOKEN.test(candidate);
}
