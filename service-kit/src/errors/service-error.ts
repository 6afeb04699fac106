/**
 * The one base of every error class in the services (each package's own base extends
 * it, as jose's `JOSEError` is the root of its errors). An error carries what its HTTP
 * answer needs, the auth-service way (oidc-provider's convention):
 * - `status`: the HTTP status it becomes (500 unless a subclass says otherwise);
 * - `code`: a stable string (`ERR_...`) to switch on instead of messages;
 * - `error`: the short wire code of the answer's `{error, error_description}` body;
 * - `expose`: `status < 500`. An unexposed error goes out with its status and bare wire
 *   code (`server_error` by default), never its message; its detail only reaches the
 *   logs (`errorMiddleware`).
 * - `headers`: response headers that belong to the error (a `WWW-Authenticate`
 *   challenge), set with the answer when it is exposed.
 *
 * Subclasses declare only what differs (`override readonly code = "ERR_X"`,
 * `override readonly status = 404`, `override readonly error = "not_found"`).
 */
export interface ServiceErrorOptions extends ErrorOptions {
  /** Response headers of this error's answer (a challenge, `Connection: close`). */
  headers?: Readonly<Record<string, string>>;
}

export class ServiceError extends Error {
  readonly code: string = "ERR_SERVICE";
  readonly status: number = 500;
  readonly error: string = "server_error";
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(message: string, options?: ServiceErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    if (options?.headers) this.headers = options.headers;
  }

  /** Client errors are told to the client; server errors are not (details in logs). */
  get expose(): boolean {
    return this.status < 500;
  }

  /** The answer's `error_description` (the message of an exposed error). */
  get error_description(): string {
    return this.message;
  }
}
