import type { AgentIdentity } from "../routes.js";

/** Taken from the supervisor's environment when set: what a program needs to run at all. */
const BASE_NAMES = ["PATH", "LANG", "LC_ALL", "TZ"] as const;

/** What an agent's environment is built from. */
export interface AgentEnvironmentInput {
  /** The supervisor's environment: only the base names and `passNames` are read from it. */
  inherited: NodeJS.ProcessEnv;
  /** `CONTAINER_AGENT_ENV`: further names copied when set (already checked by `parseAgentEnvNames`). */
  passNames: readonly string[];
  agent: AgentIdentity;
  apiUrl: string;
  tokenFile: string;
  /** The agent's own `HOME`. */
  home: string;
}

/**
 * The environment of an agent process, built from an allowlist (DESIGN.md "The agent
 * process"), never by removing names from the supervisor's: `PATH`, `LANG`, `LC_ALL`,
 * `TZ` (when set), `HOME` (the agent's own directory), exactly `GASTOWN_API_URL`,
 * `GASTOWN_SESSION_TOKEN_FILE`, `GASTOWN_AGENT_ID`, `GASTOWN_RIG_ID` (rig agents only),
 * `GASTOWN_TOWN_ID`, `GASTOWN_ROLE`, and the names of `CONTAINER_AGENT_ENV`. Never a
 * token: the access token is in the file.
 */
export function agentEnvironment(input: AgentEnvironmentInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of [...BASE_NAMES, ...input.passNames]) {
    const value = input.inherited[name];
    if (value !== undefined) env[name] = value;
  }
  env.HOME = input.home;
  env.GASTOWN_API_URL = input.apiUrl;
  env.GASTOWN_SESSION_TOKEN_FILE = input.tokenFile;
  env.GASTOWN_AGENT_ID = input.agent.agentId;
  if (input.agent.rigId !== undefined) env.GASTOWN_RIG_ID = input.agent.rigId;
  env.GASTOWN_TOWN_ID = input.agent.townId;
  env.GASTOWN_ROLE = input.agent.role;
  return env;
}
