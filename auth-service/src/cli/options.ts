import { isId } from "@gastown/token-policy";
import { type Command, InvalidArgumentError } from "commander";
import type { GlobalOptions } from "./admin-client.js";

/** Commander parser for a Gastown id (agent, rig, town, user). */
export function idArgument(value: string): string {
  if (!isId(value)) throw new InvalidArgumentError("not an id ([A-Za-z0-9][A-Za-z0-9._:-]{0,127})");
  return value;
}

/** Commander parser for a positive whole number up to `max`. */
export function countArgument(max: number): (value: string) => number {
  return (value) => {
    if (!/^[1-9][0-9]{0,6}$/.test(value) || Number(value) > max) throw new InvalidArgumentError(`must be a whole number 1-${max}`);
    return Number(value);
  };
}

/** The program-wide options (--url, --token-file, --json) merged with the command's own. */
export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}
