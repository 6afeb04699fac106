import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { TokenFile } from "./token-file.js";
import type { AgentUser } from "./uid-pool.js";

/**
 * What an agent has on disk: a private directory (0700, owned by the agent's user when it
 * has one) under the supervisor's state directory, holding its token file and its `HOME`
 * (0700, same owner). Nothing of another agent or of the supervisor is in it. Removed when
 * the agent ends, after its user's processes were killed, so nothing of that user can
 * race the removal.
 */
export class AgentWorkspace {
  readonly directory: string;
  readonly home: string;
  readonly tokenFile: TokenFile;

  constructor(stateDir: string, owner?: AgentUser) {
    this.directory = mkdtempSync(join(stateDir, "agent-"));
    this.home = join(this.directory, "home");
    try {
      chmodSync(this.directory, 0o700);
      mkdirSync(this.home, { mode: 0o700 });
      if (owner !== undefined) {
        chownSync(this.home, owner.uid, owner.gid);
        chownSync(this.directory, owner.uid, owner.gid);
      }
    } catch (error) {
      this.remove();
      throw error;
    }
    this.tokenFile = new TokenFile(this.directory, owner);
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}
