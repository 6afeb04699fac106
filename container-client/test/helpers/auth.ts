import type { RunningAuthService } from "@gastown/auth-service";
import { verifyAccessToken } from "@gastown/token-policy";
import { createRemoteJWKSet } from "jose";
import type { TokenPair } from "../../src/index.js";
import type { TokenVerifier } from "./recording-api.js";

const DISPATCH_GRANT = "urn:gastown:params:oauth:grant-type:agent-dispatch";

export interface DispatchParams {
  agent_id: string;
  town_id: string;
  user_id: string;
  role: string;
  rig_id?: string;
}

/** A fresh session from the dispatch grant, as the worker would get it (client_secret_basic). */
export async function dispatch(auth: RunningAuthService, params: DispatchParams): Promise<TokenPair> {
  const client = auth.dispatcherClients[0]!;
  const basic = Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString("base64");
  const res = await fetch(`${auth.url}/oauth2/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: DISPATCH_GRANT, ...params }),
  });
  const body = (await res.json()) as TokenPair & { error?: string };
  if (!res.ok) throw new Error(`dispatch failed: ${res.status} ${body.error}`);
  return { access_token: body.access_token, refresh_token: body.refresh_token, expires_in: body.expires_in, session_id: body.session_id };
}

/** Verifies each token through token-policy with the auth-service's published keys. */
export function policyVerifier(auth: RunningAuthService): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(`${auth.url}/.well-known/jwks.json`));
  return async (token) => (await verifyAccessToken(token, jwks, auth.policy)) as unknown as Record<string, unknown>;
}

/** Revokes a session through the admin API (the next refresh answers invalid_grant). */
export async function adminRevoke(auth: RunningAuthService, sessionId: string): Promise<number> {
  const res = await fetch(`${auth.url}/admin/sessions/${encodeURIComponent(sessionId)}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${auth.adminToken}` },
  });
  return res.status;
}
