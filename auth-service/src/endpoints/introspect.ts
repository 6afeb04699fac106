import { InvalidRequestError } from "../errors.js";
import { authenticateClient, noStore, parseFormBody, requireDispatcherClient } from "../http/oauth-request.js";
import type { AuthContext, AuthMiddleware } from "../http/state.js";
import { looksLikeRefreshToken } from "../tokens/token-strategies.js";

export const INTROSPECTION_PATH = "/oauth2/introspect";

/** RFC 7662 §2.2 answer; never carries the token itself. */
export type IntrospectionResponse =
  | { active: false }
  | { active: true; scope: string; client_id: string; sub: string; exp: number; iat: number; sid: string; token_type: string };

const INACTIVE: IntrospectionResponse = { active: false };

/** An access token is active while it verifies and its session is active. */
async function introspectAccess(ctx: AuthContext, token: string, nowMs: number): Promise<IntrospectionResponse> {
  const { provider } = ctx.state;
  const claims = await provider.accessTokens.verify(token, nowMs);
  if (!claims) return INACTIVE;
  const session = await provider.store.get(claims.sid, nowMs);
  if (session?.state !== "active") return INACTIVE;
  ctx.state.sessionId = claims.sid;
  return { active: true, scope: claims.scope, client_id: claims.client_id, sub: claims.sub, exp: claims.exp, iat: claims.iat, sid: claims.sid, token_type: "Bearer" };
}

/** A refresh token is active while it is the current one of an active session. */
async function introspectRefresh(ctx: AuthContext, token: string, nowMs: number): Promise<IntrospectionResponse> {
  const { provider } = ctx.state;
  const claims = provider.refreshTokens.verify(token);
  if (!claims) return INACTIVE;
  const session = await provider.store.get(claims.sessionId, nowMs);
  if (session?.state !== "active" || session.generation !== claims.generation) return INACTIVE;
  ctx.state.sessionId = session.sessionId;
  return {
    active: true,
    scope: session.scope,
    client_id: session.clientId,
    sub: session.agentId,
    exp: session.idleExpiresAt,
    iat: session.lastRefreshAt ?? session.createdAt,
    sid: session.sessionId,
    token_type: "refresh_token",
  };
}

/** RFC 7662 §2.1: dispatcher clients only; `{active: false}` for anything not live. */
const introspectToken: AuthMiddleware = async function introspectToken(ctx) {
  const { provider, params } = ctx.state;
  const token = params!.get("token");
  if (token === undefined) throw new InvalidRequestError("token is required");
  const hint = params!.get("token_type_hint");
  const nowMs = provider.clock();
  const refreshFirst = hint === "refresh_token" || (hint !== "access_token" && looksLikeRefreshToken(token));
  const first = refreshFirst ? introspectRefresh : introspectAccess;
  const second = refreshFirst ? introspectAccess : introspectRefresh;
  let answer = await first(ctx, token, nowMs);
  if (!answer.active) answer = await second(ctx, token, nowMs);
  ctx.status = 200;
  ctx.body = answer;
};

export const introspectionEndpoint: AuthMiddleware[] = [noStore, parseFormBody, authenticateClient, requireDispatcherClient, introspectToken];
