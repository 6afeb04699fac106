import type { SessionRecord } from "../store/types.js";

/** DESIGN.md admin shape: snake_case, Unix seconds, never a token. */
export interface SessionJson {
  session_id: string;
  agent_id: string;
  rig_id: string | null;
  town_id: string;
  user_id: string;
  role: string;
  scope: string;
  client_id: string;
  state: string;
  revoke_reason: string | null;
  created_at: number;
  last_refresh_at: number | null;
  generation: number;
  idle_expires_at: number;
  expires_at: number;
}

export function sessionJson(session: SessionRecord): SessionJson {
  return {
    session_id: session.sessionId,
    agent_id: session.agentId,
    rig_id: session.rigId,
    town_id: session.townId,
    user_id: session.userId,
    role: session.role,
    scope: session.scope,
    client_id: session.clientId,
    state: session.state,
    revoke_reason: session.revokeReason,
    created_at: session.createdAt,
    last_refresh_at: session.lastRefreshAt,
    generation: session.generation,
    idle_expires_at: session.idleExpiresAt,
    expires_at: session.expiresAt,
  };
}
