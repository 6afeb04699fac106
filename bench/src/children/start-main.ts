import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { waitFor } from "@gastown/testkit";
import type { ReadyMessage } from "./protocol.js";
import type { ChildServer, StartChildOptions } from "./start-child.js";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, µs) of a process so far, from /proc/<pid>/stat (fields 14 and 15). */
function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}

export interface MainChildOptions extends StartChildOptions {
  /** Resolves true once the service answers (its /healthz). */
  ready: () => Promise<boolean>;
}

/**
 * A service started the way a user starts it: `node <package>/dist/main.js`, every setting
 * from the environment `env` (nothing else inherited but PATH and HOME), its own log level
 * (LOG_LEVEL, or the service's default when unset), stdout and stderr discarded. It answers
 * `cpuUsage` (read from /proc) like the bench's in-process children; `stop` sends SIGTERM.
 */
export async function startMainChild(name: string, entry: string, url: string, env: NodeJS.ProcessEnv, options: MainChildOptions): Promise<ChildServer> {
  const execArgv = options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
  const child: ChildProcess = spawn(process.execPath, [...execArgv, entry], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it was ready\n${stderr}`);
    return options.ready();
  }, options.readyTimeoutMs ?? 30_000, `${name} to answer`, 50);
  const pid = child.pid!;
  const ready: ReadyMessage = { type: "ready", url };
  return {
    ready,
    url,
    process: child,
    async request<T>(type: string): Promise<T> {
      if (type !== "cpuUsage") throw new Error(`${name} is a service process: it answers only cpuUsage`);
      return { user: processCpuMicros(pid), system: 0 } as T;
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.kill("SIGTERM");
      await exited;
      clearTimeout(timer);
    },
  };
}
