import { readFileSync, statSync } from "node:fs";

/**
 * Reads the agent's token file again whenever it changed (the supervisor replaces it by
 * atomic rename, so a new inode, mtime or size means a new token), never just once at
 * start.
 */
export class TokenFileReader {
  #stamp = "";
  #token = "";

  constructor(readonly path: string) {}

  /** The current access token; re-reads the file if it changed since the last read, or when `force` is set. */
  current(force = false): string {
    const stat = statSync(this.path, { bigint: true });
    const stamp = `${stat.ino}:${stat.mtimeNs}:${stat.size}`;
    if (force || stamp !== this.#stamp || this.#token === "") {
      this.#token = readFileSync(this.path, "utf8").trim();
      this.#stamp = stamp;
    }
    return this.#token;
  }
}
