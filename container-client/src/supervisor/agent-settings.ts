import { parseAgentEnvNames } from "./agent-env-setting.js";
import { missingIsolationCapabilities, resolveAgentUsers } from "./agent-isolation.js";
import type { UidRange } from "./agent-uids-setting.js";
import { parseAgentUids } from "./agent-uids-setting.js";

/** The agent settings of `SupervisorOptions`. */
export interface AgentSettings {
  agentUids: UidRange | "off";
  agentEnvNames: string[];
}

/**
 * `CONTAINER_AGENT_UIDS` and `CONTAINER_AGENT_ENV` from the supervisor's settings (called
 * by `loadSupervisorConfig`). Outside `NODE_ENV=development` a supervisor that cannot run
 * agents as their own users refuses to start unless `CONTAINER_AGENT_UIDS=off`; a
 * malformed value of either is a `ConfigError` naming it.
 */
export function loadAgentSettings(env: NodeJS.ProcessEnv, missing: readonly string[] = missingIsolationCapabilities()): AgentSettings {
  const production = env.NODE_ENV !== "development";
  return {
    agentUids: resolveAgentUsers(parseAgentUids(env.CONTAINER_AGENT_UIDS), production, missing),
    agentEnvNames: parseAgentEnvNames(env.CONTAINER_AGENT_ENV),
  };
}
