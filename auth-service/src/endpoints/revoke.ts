import type { RevocationReason } from "@gastown/token-policy";
import { InvalidRequestError } from "../errors.js";
import { authenticateClient } from "../http/client-authentication.js";
import { parseFormBody } from "../http/form-body.js";
import { noStore } from "../http/no-store.js";
import type { AuthContext, AuthMiddleware } from "../http/state.js";
import { looksLikeRefreshToken } from "../tokens/refresh-token.js";

export const REVOCATION_PATH = "/oauth2/revoke";

type Resolved = { sid: string; clientId: string | null } | undefined;

async function fromRefreshToken(ctx: AuthContext, token: string): Promise<Resolved> {
  const claims = ctx.state.provider.refreshTokens.verify(token);
  return claims ? { sid: claims.sessionId, clientId: null } : undefined;
}

async function fromAccessToken(ctx: AuthContext, token: string): Promise<Resolved> {
  const verified = await ctx.state.provider.accessTokens.verifyIgnoringExpiry(token);
  return verified ? { sid: verified.sid, clientId: verified.clientId } : undefined;
}

/** RFC 7009 §2.1: token_type_hint only decides which kind is tried first. */
async function resolveToken(ctx: AuthContext, token: string, hint: string | undefined): Promise<Resolved> {
  const refreshFirst = hint === "refresh_token" || (hint !== "access_token" && looksLikeRefreshToken(token));
  const order = refreshFirst ? [fromRefreshToken, fromAccessToken] : [fromAccessToken, fromRefreshToken];
  for (const resolve of order) {
    const found = await resolve(ctx, token);
    if (found) return found;
  }
  return undefined;
}

function reasonFor(ctx: AuthContext): RevocationReason {
  const requested = ctx.state.params!.get("revocation_reason");
  if (requested === undefined) return "client";
  if (ctx.state.client?.kind !== "dispatcher") throw new InvalidRequestError("only dispatcher clients may give a revocation_reason");
  if (requested !== "superseded") throw new InvalidRequestError("revocation_reason must be superseded");
  return "superseded";
}

/**
 * RFC 7009 §2.1: revokes the whole session of a refresh or access token (an access
 * token's signature must be ours; its exp is ignored). Unknown or invalid tokens get
 * 200 too (§2.2). The container client may revoke only its own sessions; dispatcher
 * clients any.
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
    if (client!.kind !== "dispatcher") {
      const owner = resolved.clientId ?? (await provider.store.get(resolved.sid, nowMs))?.clientId;
      if (owner !== undefined && owner !== client!.id) throw new InvalidRequestError("the token was not issued to this client");
    }
    await provider.store.revoke(resolved.sid, reason, nowMs);
  }
  ctx.status = 200;
  ctx.body = "";
};

export const revocationEndpoint: AuthMiddleware[] = [noStore, parseFormBody, authenticateClient, revokeToken];
