import { InvalidRequestError, OAuthError, UnsupportedGrantTypeError } from "../errors.js";
import type { GrantLabel } from "../metrics/auth-metrics.js";
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

const GRANT_LABELS: Record<string, GrantLabel> = { refresh_token: "refresh_token", "urn:gastown:params:oauth:grant-type:agent-dispatch": "agent_dispatch" };

/** Counts every token request by grant type and outcome and times it (metrics only: no ids, no tokens). */
const measureToken: AuthMiddleware = async function measureToken(ctx, next) {
  const { metrics } = ctx.state.provider;
  const started = performance.now();
  let outcome = "server_error";
  try {
    await next();
    outcome = ctx.state.grantOutcome ?? "ok";
  } catch (error) {
    outcome = ctx.state.grantOutcome ?? (error instanceof OAuthError && error.expose ? error.error : "server_error");
    throw error;
  } finally {
    const grantType = GRANT_LABELS[ctx.state.grant?.grantType ?? ctx.state.params?.get("grant_type") ?? ""] ?? "unknown";
    metrics.grants.inc({ grant_type: grantType, outcome });
    metrics.tokenDuration.observe({ grant_type: grantType }, (performance.now() - started) / 1000);
  }
};

const runGrant: AuthMiddleware = async function runGrant(ctx) {
  const response = await ctx.state.grant!.handler(ctx);
  ctx.status = 200;
  // The JSON text directly, its media type set (Koa's own for a JSON body), no lookup per request.
  ctx.set("Content-Type", "application/json; charset=utf-8");
  ctx.body = JSON.stringify(response);
};

/** The token endpoint as a list of small named middleware (oidc-provider's layout). */
export const tokenEndpoint: AuthMiddleware[] = [measureToken, noStore, parseFormBody, authenticateClient, lookupGrant(GRANTS), runGrant];

/**
 * The hottest route without the router: `POST /oauth2/token` exactly runs `tokenEndpoint`
 * (one `next` per request; each step calls it at most once); any other request goes on
 * to the router, which keeps the route too (trailing slash, 405 for other methods).
 */
export const tokenRoute: AuthMiddleware = function tokenRoute(ctx, next) {
  if (ctx.method !== "POST" || ctx.path !== TOKEN_PATH) return next() as Promise<void>;
  let index = 0;
  const step = (): Promise<void> => {
    const middleware = tokenEndpoint[index++];
    return middleware ? middleware(ctx, step) : Promise.resolve();
  };
  return step();
};
