import type { AuthContext } from "../http/state.js";

/** RFC 6749 §5.1 successful response, plus Gastown's `session_id`. */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
  session_id: string;
}

/** Every grant module exports these three (oidc-provider's shape). */
export interface GrantModule {
  grantType: string;
  /** Parameters the grant reads (others are ignored, RFC 6749 §3.2). */
  parameters: ReadonlySet<string>;
  handler(ctx: AuthContext): Promise<TokenResponse>;
}
