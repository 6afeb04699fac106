/**
 * Errors of the auth-service. One base class with stable string `code`s; the OAuth
 * errors carry what RFC 6749 §5.2 puts on the wire (`status`, `error`,
 * `error_description`) and an `expose` flag: anything not exposed goes out as a bare
 * `server_error` and its detail is never serialised.
 */
export class AuthServiceError extends Error {
  readonly code: string = "ERR_AUTH_SERVICE";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // Set once here (jose's way): every subclass is named after itself.
    this.name = new.target.name;
  }
}

/** A setting is missing (in production) or has a value the service cannot use. */
export class AuthConfigError extends AuthServiceError {
  override readonly code = "ERR_AUTH_CONFIG";
}

/**
 * RFC 6749 §5.2: `error_description` is limited to %x20-21 / %x23-5B / %x5D-7E (printable
 * ASCII without `"` and `\`). Anything else, wherever it came from (a parameter name the
 * client sent, a scope), becomes `?`.
 */
const NOT_IN_DESCRIPTION = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

export function errorDescription(text: string): string {
  return text.replace(NOT_IN_DESCRIPTION, "?");
}

/** A value the client sent, quoted in a description: at most `max` characters, single quotes. */
export function quoted(value: string, max = 64): string {
  return `'${value.slice(0, max)}'`;
}

/**
 * Base of every error answered as an RFC 6749 §5.2 error response. Its constructor is
 * the one place a description is made: no OAuth error can carry a character §5.2 forbids.
 */
export abstract class OAuthError extends AuthServiceError {
  abstract readonly status: number;
  abstract readonly error: string;
  readonly expose: boolean = true;

  constructor(description: string, options?: ErrorOptions) {
    super(errorDescription(description), options);
  }

  get error_description(): string {
    return this.message;
  }
}

export class InvalidRequestError extends OAuthError {
  override readonly code = "ERR_OAUTH_INVALID_REQUEST";
  readonly status = 400;
  readonly error = "invalid_request";
}

/** RFC 6749 §5.2: 401 with a `WWW-Authenticate` challenge (see http/error-boundary.ts). */
export class InvalidClientError extends OAuthError {
  override readonly code = "ERR_OAUTH_INVALID_CLIENT";
  readonly status = 401;
  readonly error = "invalid_client";
}

export class InvalidGrantError extends OAuthError {
  override readonly code = "ERR_OAUTH_INVALID_GRANT";
  readonly status = 400;
  readonly error = "invalid_grant";
}

export class UnauthorizedClientError extends OAuthError {
  override readonly code = "ERR_OAUTH_UNAUTHORIZED_CLIENT";
  readonly status = 400;
  readonly error = "unauthorized_client";
}

export class UnsupportedGrantTypeError extends OAuthError {
  override readonly code = "ERR_OAUTH_UNSUPPORTED_GRANT_TYPE";
  readonly status = 400;
  readonly error = "unsupported_grant_type";
}

export class InvalidScopeError extends OAuthError {
  override readonly code = "ERR_OAUTH_INVALID_SCOPE";
  readonly status = 400;
  readonly error = "invalid_scope";
}
