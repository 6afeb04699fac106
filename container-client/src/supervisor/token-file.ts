import { closeSync, fchmodSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

let counter = 0;

/**
 * The agent's token file: holds the current access token and nothing else, mode 0600,
 * in a private (0700) directory, replaced by atomic rename so a reader never sees a
 * partial token. Written synchronously, so the file is current before the next call of
 * any component (and before a control request that pushed a pair is answered).
 */
export class TokenFile {
  readonly directory: string;
  readonly path: string;

  constructor(stateDir: string) {
    this.directory = mkdtempSync(join(stateDir, "agent-"));
    this.path = join(this.directory, "access_token");
  }

  write(accessToken: string): void {
    counter += 1;
    const temporary = `${this.path}.${process.pid}.${counter}.tmp`;
    const fd = openSync(temporary, "wx", 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, accessToken);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}
