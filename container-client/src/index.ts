export { AgentSession, type AgentSessionOptions } from "./session/agent-session.js";
export type { LostEvent, RefreshedEvent, RefreshFailedEvent, SessionEvents, SessionStatus, TokensEvent } from "./session/events.js";
export { type Clock, systemClock, systemTimers, type TimerHandle, type Timers } from "./session/timers.js";
export { type FetchFunction, refreshGrant, type RefreshGrantRequest } from "./session/token-endpoint.js";
export { parseTokenPair, type TokenPair } from "./session/token-pair.js";
export {
  AgentStateError, ConfigError, ContainerClientError, InvalidRequestError, InvalidTokenPairError, SessionClosedError, SessionLostError, TokenEndpointError, UnknownAgentError,
} from "./errors.js";
