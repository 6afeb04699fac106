import { TOKEN_PATH } from "@gastown/service-kit";
import { InvalidRequestError, OAuthError, UnsupportedGrantTypeError } from "../errors.js";
import * as agentDispatch from "../grants/agent_dispatch.js";
import type { GrantModule } from "../grants/grant.js";
import { GRANTS } from "../grants/index.js";
import * as refreshToken from "../grants/refresh_token.js";
import { authenticateClient, noStore, parseFormBody } from "../http/oauth-request.js";
import type { AuthContext, AuthMiddleware } from "../http/state.js";
import type { GrantLabel } from "../metrics/auth-metrics.js";

export { TOKEN_PATH };

/** RFC 6749 §3.2 / §5.2: a missing grant_type is invalid_request, an unknown one unsupported_grant_type. */
function lookupGrant(grants: readonly GrantModule[]): AuthMiddleware {
  const byType = new Map(grants.map((grant) => [grant.grantType, grant]));
  return async function lookupGrant(ctx, next) {
    const grantType = ctx.state.params?.get("grant_type");
    if (grantType === undefined) throw new InvalidRequestError("grant_type is required");
    const grant = byType.get(grantType);
    if (!grant) throw new UnsupportedGrantTypeError("the grant_type is not supported");
    ctx.state.grant = grant;
    await next();
  };
}

const GRANT_LABELS: Record<string, GrantLabel> = { [refreshToken.grantType]: "refresh_token", [agentDispatch.grantType]: "agent_dispatch" };

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

/**
 * Runs the grant with only the parameters it takes (oidc-provider strips the rest), then
 * does what its result says: log the session, count the outcome, append the audit entry,
 * answer the tokens or the error.
 */
const runGrant: AuthMiddleware = async function runGrant(ctx) {
  const { provider, params, client, grant } = ctx.state;
  if (!params || !client || !grant) throw new TypeError("runGrant runs after parseFormBody, authenticateClient and lookupGrant");
  const result = await grant.handler({ params: params.only(grant.parameters), client, provider });
  ctx.state.sessionId = result.sessionId;
  ctx.state.grantOutcome = result.outcome;
  if (result.kind === "refused") throw result.error;
  provider.audit.record(result.audit);
  if (result.outcome === "grace_replay") provider.metrics.graceReplays.inc();
  ctx.status = 200;
  // The JSON text directly, its media type set (Koa's own for a JSON body), no lookup per request.
  ctx.set("Content-Type", "application/json; charset=utf-8");
  ctx.body = JSON.stringify(result.response);
};

/** The token endpoint as a list of small named middleware (oidc-provider's layout). */
const tokenEndpoint: AuthMiddleware[] = [measureToken, noStore, parseFormBody, authenticateClient, lookupGrant(GRANTS), runGrant];

/** The router's path matching: case-insensitive, one optional trailing slash. */
function isTokenPath(path: string): boolean {
  if (path === TOKEN_PATH) return true;
  const lower = path.toLowerCase();
  return lower === TOKEN_PATH || lower === `${TOKEN_PATH}/`;
}

function runTokenEndpoint(ctx: AuthContext): Promise<void> {
  let index = 0;
  const step = (): Promise<void> => {
    const middleware = tokenEndpoint[index++];
    return middleware ? middleware(ctx, step) : Promise.resolve();
  };
  return step();
}

/**
 * `POST /oauth2/token`, registered here only and run ahead of the router (the hottest
 * route: no route matching, one `next` per step). Other methods on the path answer as
 * the router would: 200 with `Allow` for OPTIONS, 405 with `Allow` otherwise.
 */
export const tokenRoute: AuthMiddleware = function tokenRoute(ctx, next) {
  if (!isTokenPath(ctx.path)) return next() as Promise<void>;
  if (ctx.method === "POST") return runTokenEndpoint(ctx);
  ctx.set("Allow", "POST");
  if (ctx.method === "OPTIONS") {
    ctx.status = 200;
    ctx.body = "";
  } else {
    ctx.status = 405;
  }
  return Promise.resolve();
};
