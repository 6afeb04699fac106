import type { ServiceError, ServiceErrorOptions } from "./service-error.js";

/** A package's base error class: service-kit's `ServiceError` constructor, instances of `E`. */
export type ServiceErrorClass<E extends ServiceError = ServiceError> = new (message: string, options?: ServiceErrorOptions) => E;

/** The HTTP answers the services' errors share (ERROR_BY_STATUS's wire codes), each a class on the package's own base. */
export interface HttpErrorKinds<E extends ServiceError> {
  /** 400 `invalid_request` (RFC 9110 §15.5.1). */
  BadRequest: ServiceErrorClass<E>;
  /** 401 `unauthorized`: no usable credentials (RFC 9110 §15.5.2); give the challenge as a header. */
  Unauthorized: ServiceErrorClass<E>;
  /** 403 `forbidden`: the credentials do not allow this (RFC 9110 §15.5.4). */
  Forbidden: ServiceErrorClass<E>;
  /** 404 `not_found` (RFC 9110 §15.5.5). */
  NotFound: ServiceErrorClass<E>;
  /** 409 `conflict`: the target is not in a state that allows the request (RFC 9110 §15.5.10). */
  Conflict: ServiceErrorClass<E>;
  /** 413 `invalid_request`: the content is over the route's limit (RFC 9110 §15.5.14). */
  TooLarge: ServiceErrorClass<E>;
  /** 415 `invalid_request`: the content is of a media type the route does not take (RFC 9110 §15.5.16). */
  UnsupportedMediaType: ServiceErrorClass<E>;
  /** 429 `too_many_requests` (RFC 6585 §4); give `Retry-After` as a header. */
  TooManyRequests: ServiceErrorClass<E>;
  /** 503 `unavailable`: try again later (RFC 9110 §15.6.4); unexposed unless a subclass says so. */
  Unavailable: ServiceErrorClass<E>;
}

/**
 * The common HTTP error kinds, made on a package's own base so that every error of the
 * package stays `instanceof` that base (one base class per package). A package declares
 * its errors on them with only their stable `code`:
 *
 * ```ts
 * const kinds = httpErrorKinds(WorkerApiError);
 * export class UnknownAgentError extends kinds.NotFound {
 *   override readonly code = "ERR_UNKNOWN_AGENT";
 * }
 * ```
 */
export function httpErrorKinds<E extends ServiceError>(base: ServiceErrorClass<E>): HttpErrorKinds<E> {
  const Base: ServiceErrorClass = base;
  // Each kind extends `base`, so its instances are `E`s.
  const kind = (status: number, error: string) =>
    class extends Base {
      override readonly status: number = status;
      override readonly error: string = error;
    } as unknown as ServiceErrorClass<E>;
  return {
    BadRequest: kind(400, "invalid_request"),
    Unauthorized: kind(401, "unauthorized"),
    Forbidden: kind(403, "forbidden"),
    NotFound: kind(404, "not_found"),
    Conflict: kind(409, "conflict"),
    TooLarge: kind(413, "invalid_request"),
    UnsupportedMediaType: kind(415, "invalid_request"),
    TooManyRequests: kind(429, "too_many_requests"),
    Unavailable: kind(503, "unavailable"),
  };
}
