import type { RevocationReason } from "@gastown/token-policy";
import { InvalidRequestError } from "../errors.js";
import { authenticateClient, noStore, parseFormBody } from "../http/oauth-request.js";
import type { AuthContext, AuthMiddleware } from "../http/state.js";
import { isSessionId, looksLikeRefreshToken } from "../tokens/token-strategies.js";

export const REVOCATION_PATH = "/oauth2/revoke";

/** DESIGN.md: the extension hint naming a session by its id (dispatcher clients only). */
export const SESSION_ID_HINT = "session_id";

type Resolved = { sid: string; clientId: string | null } | undefined;
type Resolver = (ctx: AuthContext, token: string) => Promise<Resolved>;

const isDispatcher = (ctx: AuthContext) => ctx.state.client?.kind === "dispatcher";

async function fromRefreshToken(ctx: AuthContext, token: string): Promise<Resolved> {
  const claims = ctx.state.provider.refreshTokens.verify(token);
  return claims ? { sid: claims.sessionId, clientId: null } : undefined;
}

/**
 * A public client revokes only with an access token that is valid now (an old, expired
 * one must not end a session the worker treats as finally revoked); a dispatcher client
 * may present one past its exp (the signature, typ, iss and aud must still be ours).
 */
async function fromAccessToken(ctx: AuthContext, token: string): Promise<Resolved> {
  const { accessTokens, clock } = ctx.state.provider;
  if (!isDispatcher(ctx)) {
    const claims = await accessTokens.verify(token, clock());
    return claims ? { sid: claims.sid, clientId: claims.client_id } : undefined;
  }
  const verified = await accessTokens.verifyIgnoringExpiry(token);
  return verified ? { sid: verified.sid, clientId: verified.clientId } : undefined;
}

/** A session named by its id: only for dispatcher clients, only when that session exists. */
async function fromSessionId(ctx: AuthContext, token: string): Promise<Resolved> {
  if (!isDispatcher(ctx) || !isSessionId(token)) return undefined;
  const { provider } = ctx.state;
  return (await provider.store.get(token, provider.clock())) ? { sid: token, clientId: null } : undefined;
}

/**
 * RFC 7009 §2.1: token_type_hint only decides which kind is tried first; when the hinted
 * kind finds nothing, the other kinds are searched too. `session_id` is a further hint
 * (§2.1 allows them) that only a dispatcher client may give: from any other client it is
 * ignored, so a session id alone never revokes anything.
 */
async function resolveToken(ctx: AuthContext, token: string, hint: string | undefined): Promise<Resolved> {
  const refreshFirst = hint === "refresh_token" || (hint !== "access_token" && looksLikeRefreshToken(token));
  const order: Resolver[] = refreshFirst ? [fromRefreshToken, fromAccessToken] : [fromAccessToken, fromRefreshToken];
  if (hint === SESSION_ID_HINT && isDispatcher(ctx)) order.unshift(fromSessionId);
  for (const resolve of order) {
    const found = await resolve(ctx, token);
    if (found) return found;
  }
  return undefined;
}

function reasonFor(ctx: AuthContext): RevocationReason {
  const requested = ctx.state.params!.get("revocation_reason");
  if (requested === undefined) return "client";
  if (!isDispatcher(ctx)) throw new InvalidRequestError("only dispatcher clients may give a revocation_reason");
  if (requested !== "superseded") throw new InvalidRequestError("revocation_reason must be superseded");
  return "superseded";
}

/**
 * RFC 7009 §2.1: revokes the whole session of a refresh or access token, or (dispatcher
 * clients) of a session id. Unknown or invalid tokens get 200 too (§2.2). The container
 * client may revoke only its own sessions; dispatcher clients any.
 */
const revokeToken: AuthMiddleware = async function revokeToken(ctx) {
  const { provider, params, client } = ctx.state;
  const token = params!.get("token");
  if (token === undefined) throw new InvalidRequestError("token is required");
  const reason = reasonFor(ctx);
  const resolved = await resolveToken(ctx, token, params!.get("token_type_hint"));
  if (resolved) {
    ctx.state.sessionId = resolved.sid;
    const nowMs = provider.clock();
    if (!isDispatcher(ctx)) {
      const owner = resolved.clientId ?? (await provider.store.get(resolved.sid, nowMs))?.clientId;
      if (owner !== undefined && owner !== client!.id) throw new InvalidRequestError("the token was not issued to this client");
    }
    await provider.store.revoke(resolved.sid, reason, nowMs);
  }
  ctx.status = 200;
  ctx.body = "";
};

export const revocationEndpoint: AuthMiddleware[] = [noStore, parseFormBody, authenticateClient, revokeToken];
