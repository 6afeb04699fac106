import { ConfigError } from "../errors.js";

/**
 * Names the supervisor sets or keeps for itself: naming one in `CONTAINER_AGENT_ENV` is
 * refused, so a typo can never hand an agent the control credential, a service secret
 * (`AUTH_*`, `WORKER_*`, `REDIS_*`), the supervisor's settings or another `HOME`.
 */
const RESERVED = /^(CONTAINER_|AUTH_|WORKER_|REDIS_|GASTOWN_)|^(AGENT_COMMAND|HOME)$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `CONTAINER_AGENT_ENV`: comma-separated names of the supervisor's variables that
 * agents also get (an LLM gateway key, say). Unset or empty: none. Blank items are
 * ignored; a malformed or reserved name is a `ConfigError` at start.
 */
export function parseAgentEnvNames(raw: string | undefined): string[] {
  const names: string[] = [];
  for (const item of (raw ?? "").split(",")) {
    const name = item.trim();
    if (name === "") continue;
    if (!NAME.test(name)) throw new ConfigError(`CONTAINER_AGENT_ENV: ${JSON.stringify(name)} is not a variable name`);
    if (RESERVED.test(name)) throw new ConfigError(`CONTAINER_AGENT_ENV must not name ${name}: the supervisor sets it or keeps it for itself`);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
