/** Base error of the policy module; `code` is stable, switch on it rather than on messages. */
export class TokenPolicyError extends Error {
  readonly code: string = "ERR_TOKEN_POLICY";
}

/** A `GASTOWN_*` (or issuer/audience) setting has a value the policy cannot use. */
export class PolicyConfigError extends TokenPolicyError {
  override readonly code = "ERR_POLICY_CONFIG";
  override name = "PolicyConfigError";
}

/** An access token failed verification; `cause` carries jose's error when there is one. */
export class InvalidAccessTokenError extends TokenPolicyError {
  override readonly code = "ERR_INVALID_ACCESS_TOKEN";
  override name = "InvalidAccessTokenError";
}
