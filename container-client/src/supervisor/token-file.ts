import { closeSync, fchmodSync, fchownSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { AgentUser } from "./uid-pool.js";

let counter = 0;

/**
 * The agent's token file: holds the current access token and nothing else, mode 0600,
 * owned by the agent's user when it has one (invariant 5), replaced by atomic rename so a
 * reader never sees a partial token. The temporary file is created with O_EXCL, so a link
 * planted by the agent in its own directory is never followed; rename replaces a link
 * instead of writing through it. Written synchronously, so the file is current before the
 * next call of any component (and before a control request that pushed a pair is answered).
 */
export class TokenFile {
  readonly path: string;

  /** `directory`: the agent's private (0700) directory. */
  constructor(
    readonly directory: string,
    readonly owner?: AgentUser,
  ) {
    this.path = join(directory, "access_token");
  }

  write(accessToken: string): void {
    counter += 1;
    const temporary = `${this.path}.${process.pid}.${counter}.tmp`;
    const fd = openSync(temporary, "wx", 0o600);
    try {
      fchmodSync(fd, 0o600);
      if (this.owner !== undefined) fchownSync(fd, this.owner.uid, this.owner.gid);
      writeSync(fd, accessToken);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}
