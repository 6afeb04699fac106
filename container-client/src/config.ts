import { randomBytes } from "node:crypto";
import { SettingsReader } from "@gastown/service-kit";
import { DEFAULT_ISSUER } from "@gastown/token-policy";
import { ConfigError } from "./errors.js";
import { type AgentSettings, loadAgentSettings } from "./supervisor/agent-settings.js";
import { splitCommandLine } from "./supervisor/command-line.js";
import type { SupervisorOptions } from "./supervisor/supervisor.js";

export interface SupervisorConfig {
  options: SupervisorOptions;
  /** The settings that took a development default (only with NODE_ENV=development). */
  developmentDefaults: readonly string[];
}

/**
 * The supervisor's settings from the environment (DESIGN.md "Settings"):
 * `CONTAINER_HOST` (127.0.0.1), `CONTAINER_PORT` (4200), `CONTAINER_TLS_CERT_FILE` and
 * `CONTAINER_TLS_KEY_FILE` (HTTPS, both or neither), `CONTAINER_CONTROL_TOKEN`
 * (development only: generated), `GASTOWN_API_URL` (`http://127.0.0.1:4100`),
 * `AUTH_ISSUER` (where the token endpoint is), `AGENT_COMMAND` (split like a shell line;
 * default the sample agent), `CONTAINER_AGENT_UIDS` and `CONTAINER_AGENT_ENV`
 * (`loadAgentSettings`), `LOG_LEVEL` (info). Outside NODE_ENV=development a missing or
 * weak control token refuses to start, named with every other problem in one message.
 */
export function loadSupervisorConfig(env: NodeJS.ProcessEnv = process.env): SupervisorConfig {
  const settings = new SettingsReader(env, { service: "container supervisor", error: (message) => new ConfigError(message) });
  const options: SupervisorOptions = {
    env,
    host: settings.host("CONTAINER_HOST"),
    port: settings.port("CONTAINER_PORT", 4200),
    tls: settings.tls("CONTAINER"),
    controlToken: settings.secret("CONTAINER_CONTROL_TOKEN", randomBytes(32).toString("base64url")),
    apiUrl: settings.url("GASTOWN_API_URL", "http://127.0.0.1:4100"),
    authUrl: settings.url("AUTH_ISSUER", DEFAULT_ISSUER),
    logLevel: settings.logLevel(),
    ...settings.parsed<Partial<AgentSettings>>(() => loadAgentSettings(env), {}),
  };
  const command = settings.string("AGENT_COMMAND");
  if (command) options.agentCommand = settings.parsed(() => splitCommandLine(command), []);
  settings.done();
  return { options, developmentDefaults: settings.developmentDefaults };
}
