import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

export const HOW_TO_GET_REDIS =
  "Tests need Redis. Set REDIS_URL, run one on 127.0.0.1:6379 " +
  '(redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no), ' +
  "or install redis-server (apt-get install -y redis-server) so tests can start their own.";

/** Does a Redis at this address answer PING (with the password, when given)? Never throws. */
export async function redisAnswers(host: string, port: number, password?: string): Promise<boolean> {
  const client = new Redis({ host, port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Runs `work` on a fresh direct connection to 127.0.0.1:`port` (no retries), then drops it. */
export async function askNode<T>(port: number, password: string | undefined, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: "127.0.0.1", port, password, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return await work(client);
  } finally {
    client.disconnect();
  }
}

/** One `redis-server` child process on a loopback port, in a working directory of its own. */
export interface RedisProcess {
  port: number;
  dir: string;
  readonly process: ChildProcess;
  readonly running: boolean;
  /** Stops it by PID (SIGKILL when `hard`) and waits for the exit. */
  kill(hard?: boolean): Promise<void>;
  /** Starts it again with the same arguments, port and directory. */
  restart(): Promise<void>;
}

/** What the test process cleans up when it exits, however it exits (one listener for all). */
const atExit = { children: new Set<ChildProcess>(), dirs: new Set<string>(), hooked: false };
function cleanUpAtExit(): void {
  if (atExit.hooked) return;
  atExit.hooked = true;
  process.once("exit", () => {
    for (const child of atExit.children) child.kill("SIGKILL");
    for (const dir of atExit.dirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gt-${label}-`));
  cleanUpAtExit();
  atExit.dirs.add(dir);
  return dir;
}

/**
 * Spawns `redis-server <first...> --port <port> --dir <dir> <args...>` (`first` is e.g. a
 * config file) and waits until it answers PING. Killed with SIGKILL if the test process exits.
 */
export async function spawnRedisProcess(port: number, dir: string, args: readonly string[], options: { first?: readonly string[]; password?: string } = {}): Promise<RedisProcess> {
  let child: ChildProcess;
  const launch = async () => {
    child = spawn("redis-server", [...(options.first ?? []), "--bind", "127.0.0.1", "--port", String(port), "--dir", dir, ...args], { stdio: "ignore", cwd: dir });
    cleanUpAtExit();
    atExit.children.add(child);
    const spawned = child;
    child.once("exit", () => atExit.children.delete(spawned));
    const failed = new Promise<never>((_, reject) => {
      child.once("error", (cause) => reject(new Error(`cannot start redis-server. ${HOW_TO_GET_REDIS}`, { cause })));
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await Promise.race([redisAnswers("127.0.0.1", port, options.password), failed])) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    throw new Error(`redis-server on port ${port} did not answer. ${HOW_TO_GET_REDIS}`);
  };
  await launch();
  const handle: RedisProcess = {
    port,
    dir,
    get process() {
      return child;
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    async kill(hard = false) {
      if (!handle.running) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill(hard ? "SIGKILL" : "SIGTERM");
      await exited;
    },
    async restart() {
      await handle.kill();
      await launch();
    },
  };
  return handle;
}
