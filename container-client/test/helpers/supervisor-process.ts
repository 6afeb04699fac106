import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "@gastown/testkit";

const PACKAGE = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** How a supervisor process ended, when it did. */
export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The container supervisor as its own process (`src/main.ts` through tsx, settings only
 * from its environment), so that what an agent finds in `/proc/<ppid>` is a real
 * supervisor's. Its output is kept in `lines`.
 */
export class SupervisorProcess {
  readonly lines: string[] = [];
  readonly ended: Promise<Ended>;
  readonly #child: ChildProcess;

  private constructor(
    readonly url: string,
    env: NodeJS.ProcessEnv,
    user?: { uid: number; gid: number },
  ) {
    this.#child = spawn(process.execPath, ["--import", "tsx", MAIN], { cwd: PACKAGE, env, stdio: ["ignore", "pipe", "pipe"], ...user });
    for (const stream of [this.#child.stdout!, this.#child.stderr!]) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => this.lines.push(...chunk.split("\n").filter(Boolean)));
    }
    this.ended = new Promise((resolve) => this.#child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Starts it on a free port (`CONTAINER_PORT` is set here); `user` runs it as that uid. */
  static async start(env: NodeJS.ProcessEnv, user?: { uid: number; gid: number }): Promise<SupervisorProcess> {
    const port = await freePort();
    return new SupervisorProcess(`http://127.0.0.1:${port}`, { ...env, CONTAINER_PORT: String(port) }, user);
  }

  /** Resolves once `/healthz` answers, or answers how it ended if it exited first. */
  async ready(timeoutMs = 30_000): Promise<Ended | "ready"> {
    const deadline = Date.now() + timeoutMs;
    let ended: Ended | undefined;
    void this.ended.then((e) => (ended = e));
    while (Date.now() < deadline) {
      if (ended !== undefined) return ended;
      try {
        const res = await fetch(`${this.url}/healthz`);
        await res.body?.cancel();
        if (res.ok) return "ready";
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`supervisor not ready after ${timeoutMs} ms:\n${this.lines.join("\n")}`);
  }

  async stop(): Promise<Ended> {
    this.#child.kill("SIGTERM");
    return this.ended;
  }
}
