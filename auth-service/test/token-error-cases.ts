import { BASIC, CONTAINER, DEFAULT_AGENT, DISPATCH, type TokenBody } from "./harness.js";

/** Every malformed token request the endpoint must refuse (token-errors.test.ts, error-descriptions.test.ts). */
export interface TokenErrorCase {
  name: string;
  /** Builds the request from a live session's tokens. */
  body: (t: TokenBody) => string;
  headers?: Record<string, string>;
  contentType?: string;
  error: string;
  status: number;
}

export const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
export const dispatchBody = (extra: Record<string, string>) => form({ grant_type: DISPATCH, ...DEFAULT_AGENT, ...extra });
export const refreshBody = (token: string, extra: Record<string, string> = {}) => form({ grant_type: "refresh_token", refresh_token: token, client_id: CONTAINER, ...extra });
export const worker = { Authorization: BASIC };

/** Flips one character of the MAC (keeps the shape). */
export function alterMac(token: string): string {
  const last = token.at(-2)!;
  return `${token.slice(0, -2)}${last === "A" ? "B" : "A"}${token.at(-1)}`;
}

export const TOKEN_ERROR_CASES: TokenErrorCase[] = [
  { name: "wrong content type (JSON)", body: (t) => JSON.stringify({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: CONTAINER }), contentType: "application/json", error: "invalid_request", status: 400 },
  { name: "wrong content type (text/plain)", body: (t) => refreshBody(t.refresh_token), contentType: "text/plain", error: "invalid_request", status: 400 },
  { name: "repeated parameter", body: (t) => `${refreshBody(t.refresh_token)}&refresh_token=${encodeURIComponent(t.refresh_token)}`, error: "invalid_request", status: 400 },
  { name: "empty repeated parameter", body: (t) => `${refreshBody(t.refresh_token)}&scope=&scope=`, error: "invalid_request", status: 400 },
  { name: "repeated empty grant_type", body: (t) => `grant_type=&${refreshBody(t.refresh_token)}`, error: "invalid_request", status: 400 },
  { name: "missing grant_type", body: (t) => form({ refresh_token: t.refresh_token, client_id: CONTAINER }), error: "invalid_request", status: 400 },
  { name: "empty grant_type counts as absent", body: (t) => form({ grant_type: "", refresh_token: t.refresh_token, client_id: CONTAINER }), error: "invalid_request", status: 400 },
  { name: "unknown grant", body: (t) => form({ grant_type: "password", refresh_token: t.refresh_token, client_id: CONTAINER }), error: "unsupported_grant_type", status: 400 },
  { name: "oversized body", body: (t) => `${refreshBody(t.refresh_token)}&pad=${"x".repeat(17 * 1024)}`, error: "invalid_request", status: 400 },
  { name: "bad percent encoding", body: (t) => `${refreshBody(t.refresh_token)}&x=%E0%A4%A`, error: "invalid_request", status: 400 },
  { name: "bad client secret (basic)", body: () => dispatchBody({}), headers: { Authorization: `Basic ${Buffer.from("worker:wrong").toString("base64")}` }, error: "invalid_client", status: 401 },
  { name: "bad client secret (post)", body: () => dispatchBody({ client_id: "worker", client_secret: "wrong" }), error: "invalid_client", status: 401 },
  { name: "unknown client", body: () => dispatchBody({ client_id: "intruder", client_secret: "x" }), error: "invalid_client", status: 401 },
  { name: "unknown public client", body: (t) => form({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: "someone" }), error: "invalid_client", status: 401 },
  { name: "missing client_id", body: (t) => form({ grant_type: "refresh_token", refresh_token: t.refresh_token }), error: "invalid_client", status: 401 },
  { name: "dispatcher client without its secret", body: () => dispatchBody({ client_id: "worker" }), error: "invalid_client", status: 401 },
  { name: "both client authentication methods", body: () => dispatchBody({ client_id: "worker", client_secret: "dev-worker-secret" }), headers: worker, error: "invalid_request", status: 400 },
  { name: "container client asks for a dispatch", body: () => dispatchBody({ client_id: CONTAINER }), error: "unauthorized_client", status: 400 },
  { name: "missing refresh_token", body: () => form({ grant_type: "refresh_token", client_id: CONTAINER }), error: "invalid_request", status: 400 },
  { name: "garbage refresh token", body: () => refreshBody("garbage"), error: "invalid_grant", status: 400 },
  { name: "refresh token without MAC", body: (t) => refreshBody(t.refresh_token.slice(0, t.refresh_token.lastIndexOf("."))), error: "invalid_grant", status: 400 },
  { name: "altered MAC", body: (t) => refreshBody(alterMac(t.refresh_token)), error: "invalid_grant", status: 400 },
  { name: "forged MAC for the live session", body: (t) => refreshBody(`gtr_${t.session_id}.0.${"A".repeat(43)}`), error: "invalid_grant", status: 400 },
  { name: "genuine MAC with an altered generation", body: (t) => refreshBody(t.refresh_token.replace(".0.", ".1.")), error: "invalid_grant", status: 400 },
  { name: "leading-zero generation", body: (t) => refreshBody(t.refresh_token.replace(".0.", ".00.")), error: "invalid_grant", status: 400 },
  { name: "trailing data", body: (t) => refreshBody(`${t.refresh_token}x`), error: "invalid_grant", status: 400 },
  { name: "access token as refresh token", body: (t) => refreshBody(t.access_token), error: "invalid_grant", status: 400 },
  { name: "huge refresh token", body: (t) => refreshBody(t.refresh_token + "A".repeat(8000)), error: "invalid_grant", status: 400 },
  { name: "unknown scope on refresh", body: (t) => refreshBody(t.refresh_token, { scope: "admin" }), error: "invalid_scope", status: 400 },
  { name: "widened scope on refresh", body: (t) => refreshBody(t.refresh_token, { scope: "agent mayor" }), error: "invalid_scope", status: 400 },
  { name: "missing agent_id", body: () => dispatchBody({ agent_id: "" }), headers: worker, error: "invalid_request", status: 400 },
  { name: "bad agent_id", body: () => dispatchBody({ agent_id: "-leading-dash" }), headers: worker, error: "invalid_request", status: 400 },
  { name: "agent_id too long", body: () => dispatchBody({ agent_id: "a".repeat(129) }), headers: worker, error: "invalid_request", status: 400 },
  { name: "bad town_id", body: () => dispatchBody({ town_id: "town one" }), headers: worker, error: "invalid_request", status: 400 },
  { name: "bad rig_id", body: () => dispatchBody({ rig_id: "rig/a" }), headers: worker, error: "invalid_request", status: 400 },
  { name: "bad user_id", body: () => dispatchBody({ user_id: "ü" }), headers: worker, error: "invalid_request", status: 400 },
  { name: "missing role", body: () => dispatchBody({ role: "" }), headers: worker, error: "invalid_request", status: 400 },
  { name: "unknown role", body: () => dispatchBody({ role: "admin" }), headers: worker, error: "invalid_request", status: 400 },
  { name: "unknown scope on dispatch", body: () => dispatchBody({ scope: "agent root" }), headers: worker, error: "invalid_scope", status: 400 },
  { name: "scope the role may not hold", body: () => dispatchBody({ scope: "mayor" }), headers: worker, error: "invalid_scope", status: 400 },
];

