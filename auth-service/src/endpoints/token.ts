import { InvalidRequestError, UnsupportedGrantTypeError } from "../errors.js";
import { authenticateClient } from "../http/client-authentication.js";
import { parseFormBody } from "../http/form-body.js";
import { noStore } from "../http/no-store.js";
import type { AuthMiddleware } from "../http/state.js";
import type { GrantModule } from "../grants/grant.js";
import { GRANTS } from "../grants/index.js";

export const TOKEN_PATH = "/oauth2/token";

/** RFC 6749 §3.2 / §5.2: a missing grant_type is invalid_request, an unknown one unsupported_grant_type. */
function lookupGrant(grants: readonly GrantModule[]): AuthMiddleware {
  const byType = new Map(grants.map((grant) => [grant.grantType, grant]));
  return async function lookupGrant(ctx, next) {
    const grantType = ctx.state.params!.get("grant_type");
    if (grantType === undefined) throw new InvalidRequestError("grant_type is required");
    const grant = byType.get(grantType);
    if (!grant) throw new UnsupportedGrantTypeError("the grant_type is not supported");
    ctx.state.grant = grant;
    await next();
  };
}

const runGrant: AuthMiddleware = async function runGrant(ctx) {
  const response = await ctx.state.grant!.handler(ctx);
  ctx.status = 200;
  ctx.body = response;
};

/** The token endpoint as a list of small named middleware (oidc-provider's layout). */
export const tokenEndpoint: AuthMiddleware[] = [noStore, parseFormBody, authenticateClient, lookupGrant(GRANTS), runGrant];
