/** Base error of the worker-api; `code` is stable, switch on it rather than on messages. */
export class WorkerApiError extends Error {
  readonly code: string = "ERR_WORKER_API";
  override name = "WorkerApiError";
}

/** A setting is missing or unusable (also: a development default under NODE_ENV=production). */
export class WorkerConfigError extends WorkerApiError {
  override readonly code = "ERR_WORKER_CONFIG";
  override name = "WorkerConfigError";
}

/** The auth-service's metadata or JWKS could not be fetched or read. */
export class JwksError extends WorkerApiError {
  override readonly code: string = "ERR_JWKS";
  override name = "JwksError";
}

/** The metadata or JWKS could not be fetched at all (auth-service unreachable): a 503, not a 401. */
export class JwksUnavailableError extends JwksError {
  override readonly code: string = "ERR_JWKS_UNAVAILABLE";
  override name = "JwksUnavailableError";
}

/**
 * The metadata answered but must not be trusted (issuer, origin or scheme): the keys stay
 * unavailable (503 to agents, /readyz keys missing) until the auth-service or AUTH_ISSUER is fixed.
 */
export class MetadataRefusedError extends JwksUnavailableError {
  override readonly code = "ERR_AUTH_METADATA_REFUSED";
  override name = "MetadataRefusedError";
}

/** The token endpoint refused or failed a dispatch or revocation. */
export class AuthClientError extends WorkerApiError {
  override readonly code = "ERR_AUTH_CLIENT";
  override name = "AuthClientError";
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The container control server answered with an error or could not be reached. */
export class ContainerError extends WorkerApiError {
  override readonly code = "ERR_CONTAINER";
  override name = "ContainerError";
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The operator asked for something about an agent the worker does not track. */
export class UnknownAgentError extends WorkerApiError {
  override readonly code = "ERR_UNKNOWN_AGENT";
  override name = "UnknownAgentError";
}

/** The operator asked to start an agent that is already running. */
export class AgentAlreadyRunningError extends WorkerApiError {
  override readonly code = "ERR_AGENT_RUNNING";
  override name = "AgentAlreadyRunningError";
}

/** The agent's session was revoked for good (admin or client): it is stopped, never renewed by a message. */
export class AgentRevokedError extends WorkerApiError {
  override readonly code = "ERR_AGENT_REVOKED";
  override name = "AgentRevokedError";
}

/** This instance's claim on an agent ran out (it stalled); another instance carries on. */
export class ClaimLostError extends WorkerApiError {
  override readonly code = "ERR_CLAIM_LOST";
  override name = "ClaimLostError";
}

/** Another instance is working on the agent and did not let it go in time: try again. */
export class AgentBusyError extends WorkerApiError {
  override readonly code = "ERR_AGENT_BUSY";
  override name = "AgentBusyError";
}
