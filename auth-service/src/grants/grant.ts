import { parseScope, ROLE_SCOPES, type Role, SCOPES, type TokenPolicy, unixSeconds } from "@gastown/token-policy";
import type { AuditEntryInput } from "../audit/types.js";
import { InvalidScopeError, type OAuthError, quoted } from "../errors.js";
import type { AuthenticatedClient, ClientRegistry, FormParams } from "../http/oauth-request.js";
import type { SessionRecord, SessionStore } from "../store/types.js";
import type { AccessTokenStrategy, RefreshTokenStrategy } from "../tokens/token-strategies.js";

/*
 * The grant contract (oidc-provider's shape: every grant module exports `grantType`,
 * `parameters` and `handler(request) → result`) and what both grants share.
 */

/** RFC 6749 §5.1 successful response, plus Gastown's `session_id`. */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
  session_id: string;
}

/** What a grant may use (the app's `Provider` is one): the store, the token strategies (the key ring is behind the access-token one), the policy and the clock. */
export interface GrantProvider {
  readonly policy: TokenPolicy;
  readonly store: SessionStore;
  /** Epoch milliseconds. */
  readonly clock: () => number;
  readonly accessTokens: AccessTokenStrategy;
  readonly refreshTokens: RefreshTokenStrategy;
  readonly clients: Pick<ClientRegistry, "containerClientId">;
}

/** One token request as a grant sees it. */
export interface GrantRequest {
  /** Only the grant's own `parameters`: the token endpoint strips every other one. */
  params: FormParams;
  /** The client authenticated for this request (RFC 6749 §2.3). */
  client: AuthenticatedClient;
  provider: GrantProvider;
}

/** The grants metric's outcome when the grant reached a session. */
export type GrantOutcome = "issued" | "rotated" | "grace_replay" | "reuse_detected" | "expired";

/**
 * What a grant did: tokens to answer, or the OAuth error to answer with; the session it
 * concerned (logged, never a token), the outcome to count and the audit entry to append.
 */
export type GrantResult =
  | { kind: "tokens"; response: TokenResponse; sessionId: string; outcome: "issued" | "rotated" | "grace_replay"; audit: AuditEntryInput }
  | { kind: "refused"; error: OAuthError; sessionId?: string; outcome?: "reuse_detected" | "expired" };

/**
 * Every grant module exports these three (oidc-provider's shape). A request that is
 * malformed before any session is known may also throw its OAuthError.
 */
export interface GrantModule {
  grantType: string;
  /** The parameters the grant takes; the token endpoint strips the others (RFC 6749 §3.2). */
  parameters: ReadonlySet<string>;
  handler(request: GrantRequest): Promise<GrantResult>;
}

// What both grants share: the scope rules (RFC 6749 §3.3) and the token response (§5.1).

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

/** Mints the access token and (re)computes the refresh token of `generation`. */
export function tokenResponse(
  provider: GrantProvider,
  session: SessionRecord,
  grant: { generation: number; scope: string; accessExpiresAt: number; nowMs: number },
): TokenResponse {
  const now = unixSeconds(grant.nowMs);
  const accessToken = provider.accessTokens.make(session, { scope: grant.scope, issuedAt: now, expiresAt: grant.accessExpiresAt });
  return {
    access_token: accessToken,
    token_type: "Bearer",
    // May be 0 near the session's absolute end: exp is capped there.
    expires_in: Math.max(0, grant.accessExpiresAt - now),
    refresh_token: provider.refreshTokens.make(session.sessionId, grant.generation),
    scope: grant.scope,
    session_id: session.sessionId,
  };
}
