/**
 * Base error of `@gastown/container-client`. `code` is stable: switch on it, not on
 * messages.
 */
export class ContainerClientError extends Error {
  readonly code: string = "ERR_CONTAINER_CLIENT";
  override name = "ContainerClientError";
}

/** The session's refresh token was refused for good (`invalid_grant`): it is lost. */
export class SessionLostError extends ContainerClientError {
  override readonly code = "ERR_SESSION_LOST";
  override name = "SessionLostError";
}

/** The session was closed; it no longer serves tokens. */
export class SessionClosedError extends ContainerClientError {
  override readonly code = "ERR_SESSION_CLOSED";
  override name = "SessionClosedError";
}

/**
 * A refresh at the token endpoint failed. `transient` failures (network, 5xx, 429, a
 * malformed success) are retried with backoff; the others end the session.
 */
export class TokenEndpointError extends ContainerClientError {
  override readonly code = "ERR_TOKEN_ENDPOINT";
  override name = "TokenEndpointError";
  constructor(
    message: string,
    readonly transient: boolean,
    readonly status?: number,
    readonly oauthError?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A token pair (pushed or answered) is not `{access_token, refresh_token, expires_in, session_id}`. */
export class InvalidTokenPairError extends ContainerClientError {
  override readonly code = "ERR_INVALID_TOKEN_PAIR";
  override name = "InvalidTokenPairError";
}

/** A control-server request is malformed (answered with 400). */
export class InvalidRequestError extends ContainerClientError {
  override readonly code = "ERR_INVALID_REQUEST";
  override name = "InvalidRequestError";
}

/** The control server knows no agent with that id (answered with 404). */
export class UnknownAgentError extends ContainerClientError {
  override readonly code = "ERR_UNKNOWN_AGENT";
  override name = "UnknownAgentError";
}

/** The agent is not in a state that allows the request (answered with 409). */
export class AgentStateError extends ContainerClientError {
  override readonly code = "ERR_AGENT_STATE";
  override name = "AgentStateError";
}

/** A setting is missing or malformed (the process refuses to start). */
export class ConfigError extends ContainerClientError {
  override readonly code = "ERR_CONFIG";
  override name = "ConfigError";
}

/** The agent command could not be started (answered with 500). */
export class SpawnError extends ContainerClientError {
  override readonly code = "ERR_SPAWN_FAILED";
  override name = "SpawnError";
}

/** No uid of `CONTAINER_AGENT_UIDS` is free for another agent (answered with 503; nothing was started). */
export class AgentCapacityError extends ContainerClientError {
  override readonly code = "ERR_NO_AGENT_UID";
  override name = "AgentCapacityError";
}
