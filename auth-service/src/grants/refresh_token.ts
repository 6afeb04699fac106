import { InvalidGrantError, InvalidRequestError, InvalidScopeError } from "../errors.js";
import type { AuthContext } from "../http/state.js";
import type { TokenResponse } from "./grant.js";
import { requestedScope } from "./scope.js";
import { tokenResponse } from "./token-response.js";

/** RFC 6749 §6: refreshing an access token, with rotation (RFC 9700 §4.14.2). */
export const grantType = "refresh_token";

export const parameters: ReadonlySet<string> = new Set(["refresh_token", "scope"]);

export async function handler(ctx: AuthContext): Promise<TokenResponse> {
  const { provider, params, client } = ctx.state;
  const presented = params!.get("refresh_token");
  if (presented === undefined) throw new InvalidRequestError("refresh_token is required");
  // RFC 6749 §6: the new scope must not include any scope not originally granted; unknown names are invalid_scope.
  const scope = requestedScope(params!.get("scope"));
  // The MAC is checked before the store is asked anything: a token this server never
  // issued changes nothing, whatever session it names (DESIGN.md invariant 8).
  const claims = provider.refreshTokens.verify(presented);
  if (!claims) throw new InvalidGrantError("the refresh token is invalid");
  ctx.state.sessionId = claims.sessionId;

  const nowMs = provider.clock();
  const result = await provider.store.rotate({
    sessionId: claims.sessionId,
    presentedGeneration: claims.generation,
    clientId: client!.id,
    requestedScope: scope,
    nowMs,
  });
  ctx.state.grantOutcome = result.outcome === "invalid" ? undefined : result.outcome;
  switch (result.outcome) {
    case "rotated":
    case "grace_replay":
      if (result.outcome === "grace_replay") provider.metrics.graceReplays.inc();
      provider.audit.record({ event: result.outcome, session_id: claims.sessionId, agent_id: result.session.agentId, town_id: result.session.townId, client_id: client!.id });
      // A grace replay answers the same successor token, recomputed from its generation.
      return tokenResponse(ctx, result.session, { generation: result.generation, scope: result.scope, accessExpiresAt: result.accessExpiresAt, nowMs });
    case "reuse_detected":
      // RFC 6819 §5.2.2.3 / RFC 9700 §4.14.2: an old token came back; the store revoked the whole family.
      throw new InvalidGrantError("the refresh token was already used; the session is revoked");
    case "expired":
      throw new InvalidGrantError("the session has expired");
    case "invalid":
      if (result.reason === "scope_widened") throw new InvalidScopeError("the requested scope exceeds the scope originally granted");
      if (result.reason === "client_mismatch") throw new InvalidGrantError("the refresh token was issued to another client");
      throw new InvalidGrantError("the refresh token is invalid, expired or revoked");
  }
}
