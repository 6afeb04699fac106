import { httpErrorKinds } from "./http-kinds.js";
import { ServiceError } from "./service-error.js";

/** The kit's own errors sit on `ServiceError` itself (the kinds every package also uses). */
const kinds = httpErrorKinds(ServiceError);

/** A setting is missing or unusable: the service refuses to start (names every problem). */
export class ConfigError extends ServiceError {
  override readonly code: string = "ERR_CONFIG";
}

/** A request body that is not what the route takes: 400 (RFC 9110 §15.5.1). */
export class MalformedBodyError extends kinds.BadRequest {
  override readonly code = "ERR_MALFORMED_BODY";
}

/** A request body over the route's limit: 413 Content Too Large (RFC 9110 §15.5.14). */
export class BodyTooLargeError extends kinds.TooLarge {
  override readonly code = "ERR_BODY_TOO_LARGE";
}

/** A request body of a media type the route does not take: 415 (RFC 9110 §15.5.16). */
export class UnsupportedMediaTypeError extends kinds.UnsupportedMediaType {
  override readonly code = "ERR_UNSUPPORTED_MEDIA_TYPE";
}
