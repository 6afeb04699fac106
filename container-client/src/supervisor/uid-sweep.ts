import { spawn } from "node:child_process";
import type { AgentUser } from "./uid-pool.js";

const SWEEP_TIMEOUT_MS = 10_000;

/**
 * SIGKILLs every process running as `user`: a short-lived process of that user calls
 * kill(-1, SIGKILL), which reaches every process it may signal (those of its own uid,
 * itself excepted) while the kernel holds the task list, so a forking agent cannot slip
 * out between two scans of /proc. Run before a uid is handed out again, so nothing an
 * agent left behind (a daemon, a double fork) can read the next agent's token file.
 * Resolves `true` once done, `false` if the sweeper could not run.
 */
export function killEveryProcessOf(user: AgentUser): Promise<boolean> {
  return new Promise((resolve) => {
    const sweeper = spawn(process.execPath, ["-e", "try { process.kill(-1, 'SIGKILL') } catch {}"], {
      uid: user.uid,
      gid: user.gid,
      env: {},
      stdio: "ignore",
      timeout: SWEEP_TIMEOUT_MS,
    });
    sweeper.once("error", () => resolve(false));
    sweeper.once("exit", (code) => resolve(code === 0));
  });
}
