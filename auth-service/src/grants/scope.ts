import { parseScope, ROLE_SCOPES, type Role, SCOPES } from "@gastown/token-policy";
import { InvalidScopeError, quoted } from "../errors.js";

/** Canonical form: known names in SCOPES order, space-delimited (RFC 6749 §3.3). */
function canonical(names: readonly string[]): string {
  return SCOPES.filter((scope) => names.includes(scope)).join(" ");
}

/** Scope names requested, all known; unknown names are invalid_scope. `null` when absent. */
export function requestedScope(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const names = parseScope(raw);
  if (names.length === 0) return null;
  const unknown = names.filter((name) => !(SCOPES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new InvalidScopeError(`unknown scope ${quoted(unknown[0]!, 32)}`);
  return canonical(names);
}

/** DESIGN.md "Scopes": no scope gets all the role allows; more than that is invalid_scope. */
export function dispatchScope(raw: string | undefined, role: Role): string {
  const allowed = ROLE_SCOPES[role];
  const requested = requestedScope(raw);
  if (requested === null) return canonical(allowed);
  for (const name of parseScope(requested)) {
    if (!(allowed as readonly string[]).includes(name)) throw new InvalidScopeError(`role ${role} may not hold scope ${name}`);
  }
  return requested;
}
