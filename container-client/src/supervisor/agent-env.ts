import type { AgentIdentity } from "../routes.js";

/** Inherited variables an agent must never see: the control credential and every service's settings. */
function isStripped(name: string): boolean {
  return name === "CONTAINER_CONTROL_TOKEN" || /^(AUTH_|WORKER_|GASTOWN_)/.test(name);
}

/**
 * The environment of an agent process: the inherited one without the control credential,
 * `AUTH_*`, `WORKER_*` and every `GASTOWN_*` variable, plus exactly `GASTOWN_API_URL`,
 * `GASTOWN_SESSION_TOKEN_FILE`, `GASTOWN_AGENT_ID`, `GASTOWN_RIG_ID` (rig agents only),
 * `GASTOWN_TOWN_ID` and `GASTOWN_ROLE`. Never a token: the access token is in the file.
 */
export function agentEnvironment(inherited: NodeJS.ProcessEnv, agent: AgentIdentity, apiUrl: string, tokenFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value !== undefined && !isStripped(name)) env[name] = value;
  }
  env.GASTOWN_API_URL = apiUrl;
  env.GASTOWN_SESSION_TOKEN_FILE = tokenFile;
  env.GASTOWN_AGENT_ID = agent.agentId;
  if (agent.rigId !== undefined) env.GASTOWN_RIG_ID = agent.rigId;
  env.GASTOWN_TOWN_ID = agent.townId;
  env.GASTOWN_ROLE = agent.role;
  return env;
}
