import type { RunningAuthService } from "@gastown/auth-service";
import type { TokenPair } from "../../src/index.js";

export interface Identity {
  agent_id: string;
  town_id: string;
  rig_id?: string;
  user_id: string;
  role: string;
}

export const RIG_AGENT: Identity = { agent_id: "polecat-1", town_id: "town-1", rig_id: "rig-1", user_id: "user-1", role: "polecat" };

async function form(url: string, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: "POST", body: new URLSearchParams(fields) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A dispatch grant straight at the auth-service, as a dispatcher client. */
export async function dispatchPair(auth: RunningAuthService, identity: Identity = RIG_AGENT): Promise<TokenPair> {
  const client = auth.dispatcherClients[0]!;
  const fields: Record<string, string> = {
    grant_type: "urn:gastown:params:oauth:grant-type:agent-dispatch",
    client_id: client.id,
    client_secret: client.secret,
    ...(identity as unknown as Record<string, string>),
  };
  const answer = await form(`${auth.url}/oauth2/token`, fields);
  if (answer.status !== 200) throw new Error(`dispatch failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as unknown as TokenPair;
}

/** RFC 7009 revocation by the container client with a refresh token. */
export async function revokeRefreshToken(auth: RunningAuthService, refreshToken: string): Promise<void> {
  const answer = await form(`${auth.url}/oauth2/revoke`, { token: refreshToken, token_type_hint: "refresh_token", client_id: auth.containerClientId });
  if (answer.status !== 200) throw new Error(`revoke failed: ${answer.status}`);
}

/** A refresh grant as the container would make it. */
export async function refresh(auth: RunningAuthService, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return form(`${auth.url}/oauth2/token`, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: auth.containerClientId });
}

/** The admin API's view of a session. */
export async function adminSession(auth: RunningAuthService, sessionId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${auth.url}/admin/sessions/${encodeURIComponent(sessionId)}`, { headers: { authorization: `Bearer ${auth.adminToken}` } });
  return (await response.json()) as Record<string, unknown>;
}

export async function adminRevoke(auth: RunningAuthService, sessionId: string): Promise<void> {
  const response = await fetch(`${auth.url}/admin/sessions/${encodeURIComponent(sessionId)}`, { method: "DELETE", headers: { authorization: `Bearer ${auth.adminToken}` } });
  if (response.status !== 200) throw new Error(`admin revoke failed: ${response.status}`);
}
