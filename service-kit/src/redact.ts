/**
 * Every field name that holds, or might hold, a secret anywhere in the services (compared
 * lower-case): tokens (OAuth and our own), client secrets, static credentials under each
 * name the code uses, headers that carry credentials, private keys.
 */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(
  [
    "token", "tokens", "access_token", "refresh_token", "accessToken", "refreshToken", "id_token",
    "client_secret", "clientSecret", "secret", "secrets", "tokenSecret", "tokenSecrets", "password",
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    "adminToken", "operatorToken", "controlToken", "containerControlToken", "privateKey",
  ].map((name) => name.toLowerCase()),
);

const CENSOR = "[redacted]";
/** Nested objects are looked into this deep (`req.headers.authorization` is depth 3). */
const MAX_DEPTH = 3;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function redacted(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const value = object[key];
    let replacement: unknown = value;
    if (SECRET_FIELD_NAMES.has(key.toLowerCase())) replacement = CENSOR;
    else if (depth < MAX_DEPTH && isPlainObject(value)) replacement = redacted(value, depth + 1);
    if (replacement !== value) {
      copy ??= { ...object };
      copy[key] = replacement;
    }
  }
  return copy ?? object;
}

/**
 * pino's `formatters.log`: the line's fields with every secret-named field (at any of
 * the first three levels of plain objects) replaced by "[redacted]". One pass over the
 * keys, no copy unless something is redacted, so the per-request log line stays cheap
 * (pino's path-based redaction costs per listed path on every line).
 */
export function redactSecrets(object: Record<string, unknown>): Record<string, unknown> {
  return redacted(object, 1);
}
