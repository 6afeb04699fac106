import { SCOPES } from "@gastown/token-policy";
import { GRANT_TYPES } from "../grants/index.js";
import type { AuthMiddleware } from "../http/state.js";
import { INTROSPECTION_PATH } from "./introspect.js";
import { JWKS_PATH } from "./jwks.js";
import { REVOCATION_PATH } from "./revoke.js";
import { TOKEN_PATH } from "./token.js";

export const METADATA_PATH = "/.well-known/oauth-authorization-server";

/** RFC 8414 §2: authorization server metadata. */
export const metadataEndpoint: AuthMiddleware = async function metadata(ctx) {
  const issuer = ctx.state.provider.policy.issuer;
  ctx.body = {
    issuer,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
    introspection_endpoint: `${issuer}${INTROSPECTION_PATH}`,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    grant_types_supported: [...GRANT_TYPES],
    response_types_supported: [],
    scopes_supported: [...SCOPES],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
  };
};
