import { ServiceError } from "./service-error.js";

/** A setting is missing or unusable: the service refuses to start (names every problem). */
export class ConfigError extends ServiceError {
  override readonly code: string = "ERR_CONFIG";
}

/** A request body that is not what the route takes: 400 (RFC 9110 §15.5.1). */
export class MalformedBodyError extends ServiceError {
  override readonly code = "ERR_MALFORMED_BODY";
  override readonly status = 400;
  override readonly error = "invalid_request";
}

/** A request body over the route's limit: 413 Content Too Large (RFC 9110 §15.5.14). */
export class BodyTooLargeError extends ServiceError {
  override readonly code = "ERR_BODY_TOO_LARGE";
  override readonly status = 413;
  override readonly error = "invalid_request";
}

/** A request body of a media type the route does not take: 415 (RFC 9110 §15.5.16). */
export class UnsupportedMediaTypeError extends ServiceError {
  override readonly code = "ERR_UNSUPPORTED_MEDIA_TYPE";
  override readonly status = 415;
  override readonly error = "invalid_request";
}
