import { readFileSync } from "node:fs";

/**
 * Takes the access token from the agent's token file. The supervisor replaces the file by
 * atomic rename on every refresh or push, so the file is read again before each call
 * (it is one small read): a change is seen by the very next call. Change detection by
 * inode or mtime is not used on purpose: inodes are reused and mtimes are coarse, so two
 * quick replacements can look alike.
 */
export class TokenFileReader {
  constructor(readonly path: string) {}

  /** The current access token (never cached, so it is never stale). */
  current(): string {
    const token = readFileSync(this.path, "utf8").trim();
    if (token.length === 0) throw new Error(`token file ${this.path} is empty`);
    return token;
  }
}
