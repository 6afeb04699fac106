import { chmodSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.js";

/**
 * Creates the directory under which every agent gets its own (`AgentWorkspace`). Agents
 * running as other uids must reach their own directory through it, so it and every
 * directory above it must be searchable by others (the x bit); it is made 0711, never
 * listable, so an agent cannot even learn the names of its siblings' directories.
 * Without other uids it stays 0700. A directory on the way that agents cannot pass is a
 * `ConfigError` at start rather than agents failing to read their token file.
 */
export function prepareStateDir(path: string, otherUids: boolean): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, otherUids ? 0o711 : 0o700);
  if (!otherUids) return;
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) throw new ConfigError(`agents run as other uids but cannot pass ${dir} (no x bit for others) on the way to the state directory ${path}`);
    if (dirname(dir) === dir) return;
  }
}
