import { InvalidGrantError, InvalidRequestError, InvalidScopeError } from "../errors.js";
import { type GrantRequest, type GrantResult, requestedScope, tokenResponse } from "./grant.js";

/** RFC 6749 §6: refreshing an access token, with rotation (RFC 9700 §4.14.2). */
export const grantType = "refresh_token";

export const parameters: ReadonlySet<string> = new Set(["refresh_token", "scope"]);

export async function handler({ params, client, provider }: GrantRequest): Promise<GrantResult> {
  const presented = params.get("refresh_token");
  if (presented === undefined) return { kind: "refused", error: new InvalidRequestError("refresh_token is required") };
  // RFC 6749 §6: the new scope must not include any scope not originally granted; unknown names are invalid_scope.
  const scope = requestedScope(params.get("scope"));
  // The MAC is checked before the store is asked anything: a token this server never
  // issued changes nothing, whatever session it names (DESIGN.md invariant 8).
  const claims = provider.refreshTokens.verify(presented);
  if (!claims) return { kind: "refused", error: new InvalidGrantError("the refresh token is invalid") };
  const sessionId = claims.sessionId;

  const nowMs = provider.clock();
  const result = await provider.store.rotate({ sessionId, presentedGeneration: claims.generation, clientId: client.id, requestedScope: scope, nowMs });
  switch (result.outcome) {
    case "rotated":
    case "grace_replay":
      return {
        kind: "tokens",
        // A grace replay answers the same successor token, recomputed from its generation.
        response: tokenResponse(provider, result.session, { generation: result.generation, scope: result.scope, accessExpiresAt: result.accessExpiresAt, nowMs }),
        sessionId,
        outcome: result.outcome,
        audit: { event: result.outcome, session_id: sessionId, agent_id: result.session.agentId, town_id: result.session.townId, client_id: client.id },
      };
    case "reuse_detected":
      // RFC 6819 §5.2.2.3 / RFC 9700 §4.14.2: an old token came back; the store revoked the whole family.
      return { kind: "refused", error: new InvalidGrantError("the refresh token was already used; the session is revoked"), sessionId, outcome: "reuse_detected" };
    case "expired":
      return { kind: "refused", error: new InvalidGrantError("the session has expired"), sessionId, outcome: "expired" };
    case "invalid": {
      if (result.reason === "scope_widened") return { kind: "refused", error: new InvalidScopeError("the requested scope exceeds the scope originally granted"), sessionId };
      if (result.reason === "client_mismatch") return { kind: "refused", error: new InvalidGrantError("the refresh token was issued to another client"), sessionId };
      return { kind: "refused", error: new InvalidGrantError("the refresh token is invalid, expired or revoked"), sessionId };
    }
  }
}
