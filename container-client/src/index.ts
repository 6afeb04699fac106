export { loadSupervisorConfig, type SupervisorConfig } from "./config.js";
export {AgentCapacityError, 
  AgentStateError, ConfigError, ContainerClientError, InvalidRequestError, InvalidTokenPairError, SessionClosedError, SpawnError, TokenEndpointError, UnknownAgentError
} from "./errors.js";
export { type MetricsAgentView, REFRESH_OUTCOMES, type RefreshOutcome, SupervisorMetrics } from "./metrics/supervisor-metrics.js";
export { PluginClient, type PluginClientOptions } from "./plugin/client.js";
export { TokenFileReader } from "./plugin/token-file-reader.js";
export { type AgentIdentity, type AgentRouteKind, agentRouteUrl, mayorToolUrl, mergeCompleteUrl } from "./routes.js";
export { AgentSession, type AgentSessionOptions } from "./session/agent-session.js";
export type { LostEvent, RefreshedEvent, RefreshFailedEvent, SessionEvents, SessionStatus, TokensEvent } from "./session/events.js";
export { type Clock, systemClock, systemTimers, type TimerHandle, type Timers } from "./session/timers.js";
export { type FetchFunction, type RefreshGrantRequest, refreshGrant } from "./session/token-endpoint.js";
export { parseTokenPair, type TokenPair } from "./session/token-pair.js";
export { type AgentEnvironmentInput, agentEnvironment } from "./supervisor/agent-env.js";
export { parseAgentEnvNames } from "./supervisor/agent-env-setting.js";
export { missingIsolationCapabilities, resolveAgentUsers } from "./supervisor/agent-isolation.js";
export type { AgentState } from "./supervisor/agent-state.js";
export { type AgentUsersSetting, DEFAULT_AGENT_UIDS, parseAgentUids, type UidRange } from "./supervisor/agent-uids-setting.js";
export { AGENT_LINE_MAX_BYTES } from "./supervisor/bounded-lines.js";
export { splitCommandLine } from "./supervisor/command-line.js";
export type { AgentSpec, AgentStatus, ManagedAgent, ManagedAgentEvents } from "./supervisor/managed-agent.js";
export { READINESS_TIMEOUT_MS, type ReadinessTargets } from "./supervisor/operations.js";
export { isTransientStatus, OUTBOX_CAPACITY, OUTBOX_ITEM_MAX_BYTES, OUTBOX_MAX_BYTES, Outbox, type OutboxItem, type OutboxMeter, type OutboxOptions } from "./supervisor/outbox.js";
export { defaultAgentCommand, type RunningSupervisor, type SupervisorOptions, startSupervisor } from "./supervisor/supervisor.js";
export { type AgentUser, UidPool } from "./supervisor/uid-pool.js";
