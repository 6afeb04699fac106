import { httpErrorKinds, ServiceError } from "@gastown/service-kit";

/**
 * Base error of `@gastown/container-client` (service-kit's convention). `code` is
 * stable: switch on it, not on messages; `status` and `error` are the control server's
 * answer for it.
 */
export class ContainerClientError extends ServiceError {
  override readonly code: string = "ERR_CONTAINER_CLIENT";
}

/** The control server's 400, 404, 409 and 503 answers (service-kit's kinds, on this package's base). */
const kinds = httpErrorKinds(ContainerClientError);

/** The session was closed; it no longer serves tokens. */
export class SessionClosedError extends ContainerClientError {
  override readonly code = "ERR_SESSION_CLOSED";
}

/**
 * A refresh at the token endpoint failed. `transient` failures (network, 5xx, 429, a
 * malformed success) are retried with backoff; the others end the session.
 */
export class TokenEndpointError extends ContainerClientError {
  override readonly code = "ERR_TOKEN_ENDPOINT";
  constructor(
    message: string,
    readonly transient: boolean,
    /** What the token endpoint answered, when it answered (`status` is this error's own HTTP status). */
    readonly endpointStatus?: number,
    readonly oauthError?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A token pair (pushed or answered) is not `{access_token, refresh_token, expires_in, session_id}`. */
export class InvalidTokenPairError extends ContainerClientError {
  override readonly code = "ERR_INVALID_TOKEN_PAIR";
}

/** A control-server request is malformed (answered with 400). */
export class InvalidRequestError extends kinds.BadRequest {
  override readonly code = "ERR_INVALID_REQUEST";
}

/** The control server knows no agent with that id (answered with 404). */
export class UnknownAgentError extends kinds.NotFound {
  override readonly code = "ERR_UNKNOWN_AGENT";
}

/** The agent is not in a state that allows the request (answered with 409). */
export class AgentStateError extends kinds.Conflict {
  override readonly code = "ERR_AGENT_STATE";
}

/** A setting is missing or malformed (the process refuses to start). */
export class ConfigError extends ContainerClientError {
  override readonly code = "ERR_CONFIG";
}

/** The agent command could not be started (answered with 500 `spawn_failed`; the detail is logged). */
export class SpawnError extends ContainerClientError {
  override readonly code = "ERR_SPAWN_FAILED";
  override readonly error = "spawn_failed";
}

/** No uid of `CONTAINER_AGENT_UIDS` is free for another agent (answered with 503; nothing was started). */
export class AgentCapacityError extends kinds.Unavailable {
  override readonly code = "ERR_NO_AGENT_UID";
  /** The worker is told why (the range, how many are in use): it names no secret. */
  override get expose(): boolean {
    return true;
  }
}
