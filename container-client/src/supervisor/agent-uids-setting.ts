import { ConfigError } from "../errors.js";

/** A closed range of uids (each agent also gets the gid of the same number). */
export interface UidRange {
  first: number;
  last: number;
}

/** `CONTAINER_AGENT_UIDS`: a range of uids for the agents, or `"off"` (the supervisor's own user). */
export type AgentUsersSetting = UidRange | "off";

/** The default range when the supervisor may switch users (DESIGN.md "Settings"). */
export const DEFAULT_AGENT_UIDS: UidRange = { first: 100_000, last: 165_535 };

/** The highest valid uid: 2^32 - 1 is `(uid_t) -1`, which means "unchanged" to setuid(2). */
const MAX_UID = 4_294_967_294;

/**
 * Parses `CONTAINER_AGENT_UIDS`: `first-last` (decimal, `1 <= first <= last`), or `off`.
 * Unset or empty answers `undefined` (the default applies). Anything else, a reversed
 * range or one that includes uid 0, is a `ConfigError` naming the setting, so a bad value
 * stops the supervisor at start instead of running agents as the wrong user.
 */
export function parseAgentUids(raw: string | undefined): AgentUsersSetting | undefined {
  const text = raw?.trim() ?? "";
  if (text === "") return undefined;
  if (text === "off") return "off";
  const match = /^([0-9]{1,10})-([0-9]{1,10})$/.exec(text);
  if (match === null) throw new ConfigError(`CONTAINER_AGENT_UIDS must be first-last (for example 100000-165535) or off, got ${JSON.stringify(text)}`);
  return checkedRange({ first: Number(match[1]), last: Number(match[2]) }, `CONTAINER_AGENT_UIDS=${text}`);
}

/** A range given in code or a setting: refused when it includes root, is reversed or leaves the uid space. */
export function checkedRange(range: UidRange, what = "the agent uid range"): UidRange {
  const { first, last } = range;
  if (!Number.isInteger(first) || !Number.isInteger(last)) throw new ConfigError(`${what}: uids must be whole numbers`);
  if (first <= 0) throw new ConfigError(`${what} includes uid 0 (root); agents must never run as root`);
  if (last < first) throw new ConfigError(`${what} is reversed (${first} > ${last})`);
  if (last > MAX_UID) throw new ConfigError(`${what} goes past the highest uid ${MAX_UID}`);
  return { first, last };
}
