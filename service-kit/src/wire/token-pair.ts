/**
 * What the auth-service answers at dispatch and on every refresh, and what the worker
 * pushes into a running agent (DESIGN.md "Container control server"): one session's
 * current access and refresh token.
 *
 * @example
 * ```ts
 * const pair: TokenPair = { access_token: "eyJ...", refresh_token: "gtr_...", expires_in: 3600, session_id: "s1" };
 * ```
 */
export interface TokenPair {
  /** The access JWT sent as `Authorization: Bearer`. */
  access_token: string;
  /** The opaque rotating refresh token (`gtr_...`); it never leaves the supervisor's memory. */
  refresh_token: string;
  /** Seconds the access token lives, counted from when the pair was received. */
  expires_in: number;
  /** The session (token family) id, the access token's `sid`. */
  session_id: string;
}
