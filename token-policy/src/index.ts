export { ACCESS_TOKEN_TYPE, type AccessTokenClaims, CLAIMS, hasScope, ID_PATTERN, isId, isRole, isSessionId, parseScope, REQUIRED_CLAIMS, ROLE_SCOPES, ROLES, type Role, SCOPES, type Scope, SESSION_ID_PATTERN } from "./claims.js";
export { ALGORITHMS, type Algorithm, DEFAULT_ALGORITHM, loadPolicy, type PolicyOverrides, type TokenPolicy } from "./config.js";
export { DEFAULT_AUDIENCE, DEFAULT_CONTAINER_CLIENT_ID, DEFAULT_ISSUER, POLICY_DEFAULTS, POLICY_ENV } from "./defaults.js";
export { InvalidAccessTokenError, PolicyConfigError, TokenPolicyError } from "./errors.js";
export { accessExpiryAfter, accessTokenExpiry, capAtSessionEnd, type EndThresholds, endThresholds, graceStartMs, idleEndAfter, isPastSessionEnd, lastLiveMs, newSessionTimes, nextIdleExpiry, type RefreshDeadlines, refreshDeadlines, retainedUntil, retentionAfterLastAccess, revokedUntil, type SessionTimes, sessionAbsoluteEnd, sessionRetentionLimitMs, unixSeconds, withinGrace } from "./lifetimes.js";
export { type RandomSource, refreshDelayMs, renewalMarginMs, retryDelayMs } from "./refresh-ahead.js";
export {
  InProcessRevocationBus,
  isFinalRevocation,
  isRevocationReason,
  latestRevocationUntil,
  parseRevocationEvent,
  parseRevocationMessage,
  RENEWABLE_REASONS,
  REVOCATION_PROBLEMS,
  REVOCATION_REASONS,
  type RevocationCheck,
  type RevocationEvent,
  type RevocationProblem,
  type RevocationReason,
  revocationChannel,
  revokedEntryProblem,
  revokedReasonKey,
  revokedSetKey,
} from "./revocation.js";
export { type VerificationKey, type VerifyOptions, verifyAccessToken } from "./verify.js";
