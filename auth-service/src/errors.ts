import { ServiceError, type ServiceErrorOptions } from "@gastown/service-kit";

/**
 * Errors of the auth-service. One base class (on service-kit's `ServiceError`, which sets
 * `name` once and carries `status`, `code`, `error`, `expose = status < 500`); the OAuth
 * errors carry what RFC 6749 §5.2 puts on the wire (`status`, `error`,
 * `error_description`): anything not exposed goes out as a bare `server_error` and its
 * detail is never serialised (service-kit's `errorMiddleware`).
 */
export class AuthServiceError extends ServiceError {
  override readonly code: string = "ERR_AUTH_SERVICE";
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
 * Base of every error answered as an RFC 6749 §5.2 error response (every one a 4xx, so
 * exposed). Its constructor is the one place a description is made: no OAuth error can
 * carry a character §5.2 forbids.
 */
export abstract class OAuthError extends AuthServiceError {
  /** RFC 6749 §5.2: "responds with an HTTP 400 (Bad Request) status code (unless specified otherwise)". */
  override readonly status: number = 400;

  constructor(description: string, options?: ServiceErrorOptions) {
    super(errorDescription(description), options);
  }
}

export class InvalidRequestError extends OAuthError {
  override readonly code = "ERR_OAUTH_INVALID_REQUEST";
  override readonly error = "invalid_request";
}

/** RFC 6749 §5.2: 401 with a `WWW-Authenticate` challenge for the client authentication scheme. */
export class InvalidClientError extends OAuthError {
  override readonly code = "ERR_OAUTH_INVALID_CLIENT";
  override readonly status = 401;
  override readonly error = "invalid_client";

  constructor(description: string, options?: ErrorOptions) {
    super(description, { ...options, headers: { "WWW-Authenticate": 'Basic realm="gastown", charset="UTF-8"' } });
  }
}

export class InvalidGrantError extends OAuthError {
  override readonly code = "ERR_OAUTH_INVALID_GRANT";
  override readonly error = "invalid_grant";
}

export class UnauthorizedClientError extends OAuthError {
  override readonly code = "ERR_OAUTH_UNAUTHORIZED_CLIENT";
  override readonly error = "unauthorized_client";
}

export class UnsupportedGrantTypeError extends OAuthError {
  override readonly code = "ERR_OAUTH_UNSUPPORTED_GRANT_TYPE";
  override readonly error = "unsupported_grant_type";
}

export class InvalidScopeError extends OAuthError {
  override readonly code = "ERR_OAUTH_INVALID_SCOPE";
  override readonly error = "invalid_scope";
}
