import { unixSeconds } from "@gastown/token-policy";
import type { SessionRecord } from "../store/types.js";
import type { GrantProvider, TokenResponse } from "./grant.js";

/** Mints the access token and (re)computes the refresh token of `generation`. */
export function tokenResponse(
  provider: GrantProvider,
  session: SessionRecord,
  grant: { generation: number; scope: string; accessExpiresAt: number; nowMs: number },
): TokenResponse {
  const now = unixSeconds(grant.nowMs);
  const accessToken = provider.accessTokens.make(session, { scope: grant.scope, issuedAt: now, expiresAt: grant.accessExpiresAt });
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
