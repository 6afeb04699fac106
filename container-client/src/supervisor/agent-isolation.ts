import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.js";
import { type AgentUsersSetting, DEFAULT_AGENT_UIDS, type UidRange } from "./agent-uids-setting.js";

/**
 * What the supervisor needs to run agents as other users (capabilities(7) bit numbers):
 * switch uid and gid, chown the agent's files to it, write into the agent's own 0700
 * directory and signal its processes. Root holds them all unless the container drops them.
 */
const NEEDED = { CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_KILL: 5, CAP_SETGID: 6, CAP_SETUID: 7 } as const;

/** The capabilities of `NEEDED` this process lacks (read from `CapEff` of /proc/self/status). */
export function missingIsolationCapabilities(status = readFileSync("/proc/self/status", "utf8")): string[] {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  const effective = hex === undefined ? 0n : BigInt(`0x${hex}`);
  return Object.entries(NEEDED)
    .filter(([, bit]) => (effective & (1n << BigInt(bit))) === 0n)
    .map(([name]) => name);
}

/**
 * Decides whom agents run as (DESIGN.md "The agent process"), the one place that does:
 * - a range: that range; without the capabilities a `ConfigError` (it cannot be honoured);
 * - `off`: the supervisor's own user;
 * - unset: `DEFAULT_AGENT_UIDS` when the supervisor may switch users; otherwise its own
 *   user in development, and a `ConfigError` in production (`CONTAINER_AGENT_UIDS=off`
 *   must say that agents sharing the supervisor's user is meant).
 */
export function resolveAgentUsers(setting: AgentUsersSetting | undefined, production: boolean, missing: readonly string[]): UidRange | "off" {
  if (setting === "off") return "off";
  const lacking = missing.length === 0 ? "" : `it lacks ${missing.join(", ")}`;
  if (setting !== undefined) {
    if (lacking !== "") throw new ConfigError(`CONTAINER_AGENT_UIDS=${setting.first}-${setting.last} needs root (or CAP_SETUID and CAP_SETGID with CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_KILL); ${lacking}`);
    return setting;
  }
  if (lacking === "") return DEFAULT_AGENT_UIDS;
  if (production) {
    throw new ConfigError(`the supervisor cannot run agents as their own users (${lacking}; run it as root): with NODE_ENV=production it refuses to start unless CONTAINER_AGENT_UIDS=off says agents may run as its own user`);
  }
  return "off";
}
