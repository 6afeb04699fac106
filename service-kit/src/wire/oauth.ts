/** DESIGN.md: the token endpoint's path on the auth-service (relative to its issuer URL). */
export const TOKEN_PATH = "/oauth2/token";

/** DESIGN.md: the dispatch grant's `grant_type` (an extension grant, RFC 6749 §4.5). */
export const AGENT_DISPATCH_GRANT_TYPE = "urn:gastown:params:oauth:grant-type:agent-dispatch";

/** The token endpoint of the auth-service at `authUrl` (trailing slashes ignored). */
export function tokenEndpointUrl(authUrl: string): string {
  return `${authUrl.replace(/\/+$/, "")}${TOKEN_PATH}`;
}
