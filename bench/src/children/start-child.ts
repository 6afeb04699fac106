import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CHILD_CONFIG_ENV, type ChildConfig, type ReadyMessage, type ReplyMessage } from "./protocol.js";

export interface ChildServer {
  ready: ReadyMessage;
  url: string;
  process: ChildProcess;
  /** Sends a request and waits for its reply. */
  request<T>(type: string, fields?: Record<string, unknown>): Promise<T>;
  /** Asks the child to close and waits for it to exit (kills it after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartChildOptions {
  /** Write a V8 CPU profile of the child into this folder (`--cpu-prof`). */
  cpuProfileDir?: string;
  /** How long the child may take to be ready. */
  readyTimeoutMs?: number;
}

/**
 * Starts a server under test in its own process, so the load generator (this process)
 * and the server do not share a core. `name` is a file of `children/` without extension;
 * from TypeScript sources (tests) the child runs through tsx.
 */
export async function startChild(name: string, config: ChildConfig, options: StartChildOptions = {}): Promise<ChildServer> {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = fileURLToPath(new URL(`./${name}${fromSource ? ".ts" : ".js"}`, import.meta.url));
  const execArgv = [...(fromSource ? ["--import", "tsx"] : []), ...(options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [])];
  const child = fork(entry, [], {
    execArgv,
    env: { ...process.env, [CHILD_CONFIG_ENV]: JSON.stringify(config), NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} was not ready within ${options.readyTimeoutMs ?? 30_000} ms\n${stderr}`));
    }, options.readyTimeoutMs ?? 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready\n${stderr}`));
    });
    child.once("message", (message: ReadyMessage) => {
      clearTimeout(timer);
      resolve(message);
    });
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on("message", (message: ReplyMessage) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if ("error" in message) waiter.reject(new Error(`${name}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited (${code})\n${stderr}`));
    pending.clear();
  });

  const request = <T>(type: string, fields: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (child.exitCode !== null || !child.connected) return reject(new Error(`${name} is not running\n${stderr}`));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...fields, id, type });
    });

  return {
    ready,
    url: ready.url,
    process: child,
    request,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await request("stop").catch(() => undefined);
      await exited;
      clearTimeout(timer);
    },
  };
}
