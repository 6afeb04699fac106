import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { waitFor } from "@gastown/testkit";

/**
 * One service as its own process (`node <package>/dist/main.js` or a test entry), its
 * output kept line by line across restarts. `command` is the program and its leading
 * arguments (default `node`; `ip netns exec <ns> node` runs it on another "host").
 */
export class ServiceProcess {
  readonly lines: string[] = [];
  #child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    readonly args: string[],
    readonly env: NodeJS.ProcessEnv,
    /** Resolves once the service answers (for example its /healthz). */
    readonly ready: () => Promise<boolean>,
    readonly command: readonly string[] = [process.execPath],
  ) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async start(): Promise<void> {
    const [program, ...leading] = this.command;
    const child = spawn(program!, [...leading, ...this.args], { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    createInterface({ input: child.stdout! }).on("line", (line) => this.lines.push(line));
    createInterface({ input: child.stderr! }).on("line", (line) => this.lines.push(line));
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}: ${this.lines.slice(-5).join(" | ")}`);
      return this.ready();
    }, 20_000, `${this.name} to answer`, 50);
  }

  /** Sends `signal` and resolves with the exit code once the process is gone. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    const child = this.#child;
    if (!child || !this.running) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill(signal);
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(killer);
    return code;
  }

  /** Lines that parse as JSON log records. */
  logs(): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    for (const line of this.lines) {
      if (!line.startsWith("{")) continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON
      }
    }
    return records;
  }
}

/** Resolves true when `url` answers with a status below 500 (or `expected`). */
export async function answers(url: string, init: RequestInit = {}, expected?: number): Promise<boolean> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return expected === undefined ? res.status < 500 : res.status === expected;
  } catch {
    return false;
  }
}
