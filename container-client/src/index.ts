export { AgentSession, type AgentSessionOptions } from "./session/agent-session.js";
export type { LostEvent, RefreshedEvent, RefreshFailedEvent, SessionEvents, SessionStatus, TokensEvent } from "./session/events.js";
export { type Clock, systemClock, systemTimers, type TimerHandle, type Timers } from "./session/timers.js";
export { type FetchFunction, refreshGrant, type RefreshGrantRequest } from "./session/token-endpoint.js";
export { parseTokenPair, type TokenPair } from "./session/token-pair.js";
export {
  AgentStateError, ConfigError, ContainerClientError, InvalidRequestError, InvalidTokenPairError, SessionClosedError, SessionLostError, TokenEndpointError, UnknownAgentError,
} from "./errors.js";
export { SpawnError } from "./errors.js";
export { PluginClient, type PluginClientOptions } from "./plugin/client.js";
export { TokenFileReader } from "./plugin/token-file-reader.js";
export { type AgentIdentity, type AgentRouteKind, agentRouteUrl, mayorToolUrl, mergeCompleteUrl } from "./routes.js";
export { loadSupervisorConfig, type SupervisorConfig } from "./config.js";
export { agentEnvironment } from "./supervisor/agent-env.js";
export { splitCommandLine } from "./supervisor/command-line.js";
export { isTransientStatus, OUTBOX_CAPACITY, Outbox, type OutboxItem, type OutboxMeter, type OutboxOptions } from "./supervisor/outbox.js";
export type { AgentState } from "./supervisor/agent-state.js";
export type { AgentSpec, AgentStatus, ManagedAgent, ManagedAgentEvents } from "./supervisor/managed-agent.js";
export { type MetricsAgentView, REFRESH_OUTCOMES, type RefreshOutcome, SupervisorMetrics } from "./metrics/supervisor-metrics.js";
export { READINESS_TIMEOUT_MS, type ReadinessTargets } from "./supervisor/operations.js";
export { defaultAgentCommand, type RunningSupervisor, startSupervisor, type SupervisorOptions } from "./supervisor/supervisor.js";
