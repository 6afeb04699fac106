import { unixSeconds } from "@gastown/token-policy";
import type { AuthContext } from "../http/state.js";
import type { SessionRecord } from "../store/types.js";
import { signAccessToken } from "../tokens/access-token.js";
import type { TokenResponse } from "./grant.js";

/** Mints the access token and (re)computes the refresh token of `generation`. */
export function tokenResponse(
  ctx: AuthContext,
  session: SessionRecord,
  grant: { generation: number; scope: string; accessExpiresAt: number; nowMs: number },
): TokenResponse {
  const { provider } = ctx.state;
  const now = unixSeconds(grant.nowMs);
  const accessToken = signAccessToken(
    {
      sessionId: session.sessionId,
      agentId: session.agentId,
      rigId: session.rigId,
      townId: session.townId,
      userId: session.userId,
      role: session.role,
      clientId: session.clientId,
      scope: grant.scope,
      issuedAt: now,
      expiresAt: grant.accessExpiresAt,
    },
    provider.signingKeys.current,
    provider.policy,
  );
  return {
    access_token: accessToken,
    token_type: "Bearer",
    // May be 0 near the session's absolute end: exp is capped there.
    expires_in: Math.max(0, grant.accessExpiresAt - now),
    refresh_token: provider.refreshTokens.make(session.sessionId, grant.generation),
    scope: grant.scope,
    session_id: session.sessionId,
  };
}
