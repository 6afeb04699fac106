import { InvalidTokenPairError, TokenEndpointError } from "../errors.js";
import { parseTokenPair, type TokenPair } from "./token-pair.js";

export type FetchFunction = typeof globalThis.fetch;

export interface RefreshGrantRequest {
  endpoint: string;
  clientId: string;
  refreshToken: string;
  /** The session the token belongs to, used when an answer omits `session_id`. */
  sessionId: string;
  fetch: FetchFunction;
  /** Abort a request that takes longer than this (ms). */
  timeoutMs: number;
}

/** Statuses that say "try again later" rather than "this request can never succeed". */
function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * One `refresh_token` grant (RFC 6749 §6) as the public container client (`client_id`
 * in the body, no secret, RFC 6749 §2.3 / §3.2.1).
 *
 * Failures are classified for the caller (RFC 6749 §5.2): network errors, 5xx, 429 and a
 * malformed 200 are transient (a retry with the same token lands in the server's grace
 * window and gets the same successor); `invalid_grant` and every other OAuth error are
 * permanent, because sending the same request again can never succeed.
 */
export async function refreshGrant(request: RefreshGrantRequest): Promise<TokenPair> {
  const body = new URLSearchParams({
    grant_type: "refresh_token",
    refresh_token: request.refreshToken,
    client_id: request.clientId,
  });
  let response: Response;
  try {
    response = await request.fetch(request.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (cause) {
    throw new TokenEndpointError("token endpoint unreachable", true, undefined, undefined, { cause });
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch (cause) {
    if (isTransientStatus(response.status) || response.ok) {
      throw new TokenEndpointError(`token endpoint answered ${response.status} without JSON`, true, response.status, undefined, { cause });
    }
    throw new TokenEndpointError(`token endpoint answered ${response.status} without JSON`, false, response.status, undefined, { cause });
  }
  if (response.ok) {
    try {
      return parseTokenPair(payload, request.sessionId);
    } catch (cause) {
      const reason = cause instanceof InvalidTokenPairError ? cause.message : "malformed";
      throw new TokenEndpointError(`token endpoint answered a malformed token response: ${reason}`, true, response.status, undefined, { cause });
    }
  }
  const oauthError =
    typeof payload === "object" && payload !== null && typeof (payload as { error?: unknown }).error === "string"
      ? (payload as { error: string }).error
      : undefined;
  const transient = isTransientStatus(response.status);
  throw new TokenEndpointError(
    `token endpoint refused the refresh: ${response.status} ${oauthError ?? "no error code"}`,
    transient,
    response.status,
    oauthError,
  );
}
