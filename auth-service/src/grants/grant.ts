import type { TokenPolicy } from "@gastown/token-policy";
import type { AuditEntryInput } from "../audit/types.js";
import type { OAuthError } from "../errors.js";
import type { AuthenticatedClient, ClientRegistry } from "../http/clients.js";
import type { FormParams } from "../http/form-params.js";
import type { SessionStore } from "../store/types.js";
import type { AccessTokenStrategy } from "../tokens/access-token.js";
import type { RefreshTokenStrategy } from "../tokens/refresh-token.js";

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
