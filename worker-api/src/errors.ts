import { httpErrorKinds, ServiceError } from "@gastown/service-kit";
import { bearerChallenge } from "./auth/challenge.js";

/**
 * Base error of the worker-api (service-kit's convention): `code` is stable, switch on it
 * rather than on messages; `status` and `error` are the HTTP answer it becomes.
 */
export class WorkerApiError extends ServiceError {
  override readonly code: string = "ERR_WORKER_API";
}

/** The worker-api's 4xx and 503 answers (service-kit's kinds, on this package's base). */
const kinds = httpErrorKinds(WorkerApiError);

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
export class UnknownAgentError extends kinds.NotFound {
  override readonly code = "ERR_UNKNOWN_AGENT";
}

/** The operator asked to start an agent that is already running. */
export class AgentAlreadyRunningError extends kinds.Conflict {
  override readonly code = "ERR_AGENT_RUNNING";
}

/** The agent's session was revoked for good (admin or client): it is stopped, never renewed by a message. */
export class AgentRevokedError extends kinds.Conflict {
  override readonly code = "ERR_AGENT_REVOKED";
  override readonly error = "agent_revoked";
}

/** A request to the worker-api is malformed (400). */
export class InvalidRequestError extends kinds.BadRequest {
  override readonly code = "ERR_INVALID_REQUEST";
}

/** This instance's claim on an agent ran out (it stalled); another instance carries on. */
export class ClaimLostError extends WorkerApiError {
  override readonly code = "ERR_CLAIM_LOST";
}

/** Another instance is working on the agent and did not let it go in time: try again (503, Retry-After). */
export class AgentBusyError extends kinds.Unavailable {
  override readonly code = "ERR_AGENT_BUSY";
  override readonly error = "busy";
  override readonly headers = { "Retry-After": "1" };
}

/** RFC 6750 §3: an agent route called without a Bearer token (or with another scheme): 401 with the bare challenge. */
export class MissingTokenError extends kinds.Unauthorized {
  override readonly code = "ERR_MISSING_TOKEN";
  constructor(message = "a Bearer access token is required") {
    super(message, { headers: { "WWW-Authenticate": bearerChallenge() } });
  }
}

/** RFC 6750 §3.1: a malformed, invalid, expired or revoked access token: 401 `invalid_token` with its challenge. */
export class InvalidTokenError extends kinds.Unauthorized {
  override readonly code = "ERR_INVALID_TOKEN";
  override readonly error = "invalid_token";
  constructor(message: string) {
    super(message, { headers: { "WWW-Authenticate": bearerChallenge({ error: "invalid_token" }) } });
  }
}

/** A valid token of another agent, rig or town (DESIGN.md: routes are bound to the token): 403. */
export class ForbiddenError extends kinds.Forbidden {
  override readonly code = "ERR_FORBIDDEN";
}

/** RFC 6750 §3.1: a valid token without the scope the route needs: 403 with a challenge naming it. */
export class InsufficientScopeError extends kinds.Forbidden {
  override readonly code = "ERR_INSUFFICIENT_SCOPE";
  override readonly error = "insufficient_scope";
  constructor(scope: string) {
    super(`this route needs the ${scope} scope`, { headers: { "WWW-Authenticate": bearerChallenge({ error: "insufficient_scope", scope }) } });
  }
}

/**
 * The worker cannot check tokens now (the auth-service's keys are not loaded, or the revoked
 * set is not confirmed complete): 503 `temporarily_unavailable` with `Retry-After: 1` (RFC
 * 9110 §15.6.4, §10.2.3). The agent is told which (it names no secret).
 */
export class VerificationUnavailableError extends kinds.Unavailable {
  override readonly code = "ERR_VERIFICATION_UNAVAILABLE";
  override readonly error = "temporarily_unavailable";
  override readonly headers = { "Retry-After": "1" };
  override get expose(): boolean {
    return true;
  }
}

/** A record larger than `WORKER_RECORD_MAX_BYTES`: 413; nothing is stored. */
export class RecordTooLargeError extends kinds.TooLarge {
  override readonly code = "ERR_RECORD_TOO_LARGE";
}

/** An agent past its rate (`rate_limited`) or hourly quota (`quota_exceeded`): 429 with Retry-After (RFC 6585 §4); nothing is stored. */
export class RecordRefusedError extends kinds.TooManyRequests {
  override readonly code = "ERR_RECORD_REFUSED";
  override readonly error: string;
  constructor(refusal: "rate" | "quota", retryAfterMs: number) {
    super(refusal === "rate" ? "too many callbacks from this agent" : "this agent stored its quota for now", {
      headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    });
    this.error = refusal === "rate" ? "rate_limited" : "quota_exceeded";
  }
}
