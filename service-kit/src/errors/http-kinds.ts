import type { ServiceError, ServiceErrorOptions } from "./service-error.js";

/** A package's base error class: service-kit's `ServiceError` constructor, instances of `E`. */
export type ServiceErrorClass<E extends ServiceError = ServiceError> = new (message: string, options?: ServiceErrorOptions) => E;

/** The HTTP answers the services' client errors share, each a class on the package's own base. */
export interface HttpErrorKinds<E extends ServiceError> {
  /** 400 `invalid_request` (RFC 9110 §15.5.1). */
  BadRequest: ServiceErrorClass<E>;
  /** 404 `not_found` (RFC 9110 §15.5.5). */
  NotFound: ServiceErrorClass<E>;
  /** 409 `conflict`: the target is not in a state that allows the request (RFC 9110 §15.5.10). */
  Conflict: ServiceErrorClass<E>;
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
  return { BadRequest: kind(400, "invalid_request"), NotFound: kind(404, "not_found"), Conflict: kind(409, "conflict"), Unavailable: kind(503, "unavailable") };
}
