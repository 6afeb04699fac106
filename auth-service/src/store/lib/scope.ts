import { parseScope } from "@gastown/token-policy";

/**
 * A refresh may narrow the scope, never widen it (RFC 6749 §6), measured against the scope
 * granted at dispatch. `null` or empty asks for the granted scope.
 */
export function isScopeSubset(requested: string | null, granted: string): boolean {
  if (requested === null) return true;
  const allowed = new Set(parseScope(granted));
  return parseScope(requested).every((scope) => allowed.has(scope));
}

/** The scope of the access token a refresh issues: the one asked for, else the granted one. */
export function issuedScope(requested: string | null, granted: string): string {
  return requested !== null && requested.trim() !== "" ? parseScope(requested).join(" ") : granted;
}
