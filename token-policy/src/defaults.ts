/**
 * Every default of the token policy, in one place (DESIGN.md "Policy defaults").
 * Lifetimes are whole seconds; the retry figures are milliseconds.
 */
export const POLICY_DEFAULTS = {
  /** Access token lifetime. Short, so a stolen access token is worth little. Recommended: 3600. */
  accessTokenTtl: 3600,
  /** No refresh for this long ends the session (refresh token idle timeout). Recommended: 86400. */
  refreshIdleTtl: 24 * 3600,
  /** Absolute session lifetime; rotation never extends it. Recommended: 30 days. */
  sessionMaxTtl: 30 * 24 * 3600,
  /** How long the immediately previous refresh token still answers with the same successor. Recommended: 30. */
  refreshGrace: 30,
  /** Tolerance for exp/nbf/iat when verifying access tokens. Recommended: 15. */
  clockTolerance: 15,
  /** Refresh when this fraction of the access token's life has passed... */
  refreshAheadFraction: 0.8,
  /** ...brought forward by up to this fraction of the life, at random (jitter). */
  refreshJitterFraction: 0.1,
  /** Retry after a failed refresh: exponential backoff with full jitter, from... */
  retryMinMs: 1_000,
  /** ...up to this cap. */
  retryMaxMs: 60_000,
  /** One session never refreshes more often than this, whatever expires_in says. */
  minRefreshIntervalMs: 1_000,
} as const;

/** Environment variables that override the lifetimes (DESIGN.md "Settings"). */
export const POLICY_ENV = {
  accessTokenTtl: "GASTOWN_ACCESS_TOKEN_TTL",
  refreshIdleTtl: "GASTOWN_REFRESH_IDLE_TTL",
  sessionMaxTtl: "GASTOWN_SESSION_MAX_TTL",
  refreshGrace: "GASTOWN_REFRESH_GRACE",
  clockTolerance: "GASTOWN_CLOCK_TOLERANCE",
} as const;

export const DEFAULT_ISSUER = "http://127.0.0.1:4000";
export const DEFAULT_AUDIENCE = "gastown-worker-api";
/** The public client that owns every dispatched session (the container side). */
export const DEFAULT_CONTAINER_CLIENT_ID = "gastown-container";
