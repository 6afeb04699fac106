import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { AgentUser } from "./uid-pool.js";

const SWEEP_TIMEOUT_MS = 10_000;

/**
 * SIGKILLs every process running as `user`: a short-lived process of that user calls
 * kill(-1, SIGKILL), which reaches every process it may signal (those of its own uid,
 * itself excepted) while the kernel holds the task list, so a forking agent cannot slip
 * out between two scans of /proc. Run when an agent's process exited, before its uid is
 * handed out again, so nothing it left behind (a daemon, a double fork) can read the next
 * agent's token file.
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

/**
 * The uids that run a live process now (from /proc/<pid>/status; zombies are dead):
 * the pool never hands one of them to an agent.
 */
export function uidsWithProcesses(): Set<number> {
  const uids = new Set<number>();
  for (const name of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, "utf8");
      const uid = /^Uid:\s+([0-9]+)/m.exec(status)?.[1];
      if (uid !== undefined && !/^State:\s+Z/m.test(status)) uids.add(Number(uid));
    } catch {
      // the process ended meanwhile
    }
  }
  return uids;
}
