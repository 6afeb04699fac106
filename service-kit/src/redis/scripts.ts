import { readFileSync } from "node:fs";
import type { RedisConnection } from "./connect.js";

/** `name-N.lua` takes N keys (bullmq's naming): the one place that reads the count from a file name. */
export function scriptKeyCount(file: string): number {
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match) throw new TypeError(`a Lua script's file name must end in -<number of keys>.lua: ${file}`);
  return Number(match[1]);
}

/**
 * Registers Lua scripts as commands on a connection (ioredis `defineCommand`: it sends
 * EVALSHA and loads the script on NOSCRIPT). `scripts` maps each command to its file in
 * `folder` (a `file:` URL ending in `/`, e.g. `new URL("./scripts/", import.meta.url)`;
 * the build copies `*.lua` there); the number of keys is in the file name.
 */
export function defineScripts(redis: RedisConnection, folder: URL, scripts: Readonly<Record<string, string>>): void {
  for (const [command, file] of Object.entries(scripts)) {
    redis.defineCommand(command, { lua: readFileSync(new URL(file, folder), "utf8"), numberOfKeys: scriptKeyCount(file) });
  }
}
