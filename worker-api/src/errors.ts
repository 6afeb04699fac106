import { ServiceError } from "@gastown/service-kit";

/**
 * Base error of the worker-api (service-kit's convention): `code` is stable, switch on it
 * rather than on messages; `status` and `error` are the HTTP answer it becomes.
 */
export class WorkerApiError extends ServiceError {
  override readonly code: string = "ERR_WORKER_API";
}

/** A setting is missing or unusable (also: a development default without NODE_ENV=development). */
export class WorkerConfigError extends WorkerApiError {
  override readonly code = "ERR_WORKER_CONFIG";
}

/** The auth-service's metadata or JWKS could not be fetched or read. */
export class JwksError extends WorkerApiError {
  override readonly code: string = "ERR_JWKS";
}

/** The metadata or JWKS could not be fetched at all (auth-service unreachable): a 503, not a 401. */
export class JwksUnavailableError extends JwksError {
  override readonly code: string = "ERR_JWKS_UNAVAILABLE";
  override readonly status = 503;
  override readonly error = "temporarily_unavailable";
}

/** A failure of a service the worker calls: 502 (RFC 9110 §15.6.3), the upstream's status kept apart. */
abstract class UpstreamError extends WorkerApiError {
  override readonly status = 502;
  constructor(
    message: string,
    /** What the upstream answered, when it answered. */
    readonly upstreamStatus?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The metadata answered but must not be trusted (issuer, origin or scheme): the keys stay
 * unavailable (503 to agents, /readyz keys missing) until the auth-service or AUTH_ISSUER is fixed.
 */
export class MetadataRefusedError extends JwksUnavailableError {
  override readonly code = "ERR_AUTH_METADATA_REFUSED";
}

/** The token endpoint refused or failed a dispatch or revocation. */
export class AuthClientError extends UpstreamError {
  override readonly code = "ERR_AUTH_CLIENT";
  override readonly error = "auth_error";
}

/** The container control server answered with an error or could not be reached. */
export class ContainerError extends UpstreamError {
  override readonly code = "ERR_CONTAINER";
  override readonly error = "container_error";
}

/** The operator asked for something about an agent the worker does not track. */
export class UnknownAgentError extends WorkerApiError {
  override readonly code = "ERR_UNKNOWN_AGENT";
  override readonly status = 404;
  override readonly error = "not_found";
}

/** The operator asked to start an agent that is already running. */
export class AgentAlreadyRunningError extends WorkerApiError {
  override readonly code = "ERR_AGENT_RUNNING";
  override readonly status = 409;
  override readonly error = "conflict";
}

/** The agent's session was revoked for good (admin or client): it is stopped, never renewed by a message. */
export class AgentRevokedError extends WorkerApiError {
  override readonly code = "ERR_AGENT_REVOKED";
  override readonly status = 409;
  override readonly error = "agent_revoked";
}

/** A request to the worker-api is malformed (400). */
export class InvalidRequestError extends WorkerApiError {
  override readonly code = "ERR_INVALID_REQUEST";
  override readonly status = 400;
  override readonly error = "invalid_request";
}

/** This instance's claim on an agent ran out (it stalled); another instance carries on. */
export class ClaimLostError extends WorkerApiError {
  override readonly code = "ERR_CLAIM_LOST";
}

/** Another instance is working on the agent and did not let it go in time: try again (503, Retry-After). */
export class AgentBusyError extends WorkerApiError {
  override readonly code = "ERR_AGENT_BUSY";
  override readonly status = 503;
  override readonly error = "busy";
  override readonly headers = { "Retry-After": "1" };
}
