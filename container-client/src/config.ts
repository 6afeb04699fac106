import { randomBytes } from "node:crypto";
import { DEFAULT_ISSUER } from "@gastown/token-policy";
import { ConfigError } from "./errors.js";
import { loadAgentSettings } from "./supervisor/agent-settings.js";
import { splitCommandLine } from "./supervisor/command-line.js";
import type { SupervisorOptions } from "./supervisor/supervisor.js";

export interface SupervisorConfig {
  options: SupervisorOptions;
  /** Set when the control token was generated (development only) so it can be printed once. */
  generatedControlToken?: string;
}

function port(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) > 65535) throw new ConfigError(`CONTAINER_PORT must be a port number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * The supervisor's settings from the environment (DESIGN.md "Settings"): `CONTAINER_PORT`
 * (4200), `CONTAINER_CONTROL_TOKEN` (required with `NODE_ENV=production`, otherwise
 * generated), `GASTOWN_API_URL` (`http://127.0.0.1:4100`), `AUTH_ISSUER` (where the token
 * endpoint is), `AGENT_COMMAND` (split like a shell line; default the sample agent),
 * `CONTAINER_AGENT_UIDS` and `CONTAINER_AGENT_ENV` (`loadAgentSettings`).
 */
export function loadSupervisorConfig(env: NodeJS.ProcessEnv = process.env): SupervisorConfig {
  const production = env.NODE_ENV === "production";
  let controlToken = env.CONTAINER_CONTROL_TOKEN ?? "";
  let generatedControlToken: string | undefined;
  if (controlToken === "") {
    if (production) throw new ConfigError("CONTAINER_CONTROL_TOKEN must be set when NODE_ENV=production");
    controlToken = randomBytes(32).toString("base64url");
    generatedControlToken = controlToken;
  }
  const options: SupervisorOptions = {
    env,
    port: port(env.CONTAINER_PORT, 4200),
    controlToken,
    apiUrl: env.GASTOWN_API_URL || "http://127.0.0.1:4100",
    authUrl: env.AUTH_ISSUER || DEFAULT_ISSUER,
    ...loadAgentSettings(env),
  };
  if (env.AGENT_COMMAND) options.agentCommand = splitCommandLine(env.AGENT_COMMAND);
  return generatedControlToken === undefined ? { options } : { options, generatedControlToken };
}
