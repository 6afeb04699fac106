/**
 * A hostile agent for the isolation tests: it calls the worker back like a well-behaved
 * agent (an event every 200 ms through the plugin client, each answer logged in `$HOME/calls.log`),
 * and on a stdin message `{"type": "message", "prompt": "<JSON probe targets>"}` it looks
 * around and writes what it found to `$HOME/probe.json` (and prints it as one line):
 * its uid, gid and groups, its environment's names, what it could read of its parent's
 * (the supervisor's) `/proc` files, of each sibling's token file and `/proc/<pid>/environ`,
 * whether it may signal its parent and siblings, what the state directory lists, and what
 * the control server answers without the credential. It also leaves a detached child
 * behind on the prompt `daemon` (its pid in `$HOME/daemon.json`) that ignores SIGTERM, to
 * show the supervisor kills it.
 */
import { spawn } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { PluginClient } from "../../src/index.js";

interface Targets {
  controlUrl: string;
  siblings: { agentId: string; pid: number; tokenFile: string }[];
}

const client = PluginClient.fromEnv(process.env);
const print = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const report = (name: string, line: Record<string, unknown>): void => {
  writeFileSync(join(process.env.HOME!, `${name}.json`), JSON.stringify(line));
  print(line);
};

function attempt(read: () => string): { ok: boolean; error?: string; text?: string } {
  try {
    return { ok: true, text: read() };
  } catch (error) {
    return { ok: false, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

function signal(pid: number): string {
  try {
    process.kill(pid, 0);
    return "ok";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? "error";
  }
}

async function probe(targets: Targets): Promise<void> {
  const status = readFileSync("/proc/self/status", "utf8");
  const field = (name: string) => (new RegExp(`^${name}:[ \\t]*(.*)$`, "m").exec(status)?.[1] ?? "").trim().split(/\s+/).filter(Boolean).map(Number);
  const ppid = process.ppid;
  const unauthenticated = await fetch(`${targets.controlUrl}/agents/start`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const sibling = targets.siblings[0]!;
  const guessed = await fetch(`${targets.controlUrl}/agents/${sibling.agentId}`, { method: "DELETE", headers: { authorization: "Bearer guess" } });
  report("probe", {
    probe: client.identity.agentId,
    uid: process.getuid!(),
    gid: process.getgid!(),
    uids: field("Uid"),
    groups: field("Groups"),
    noNewPrivs: field("NoNewPrivs")[0],
    env: Object.keys(process.env).sort(),
    ppid,
    parentEnviron: attempt(() => readFileSync(`/proc/${ppid}/environ`, "utf8")),
    parentMem: attempt(() => readFileSync(`/proc/${ppid}/mem`, "latin1").slice(0, 16)),
    signalParent: signal(ppid),
    stateDirListing: attempt(() => readdirSync(dirname(dirname(process.env.GASTOWN_SESSION_TOKEN_FILE!))).join(",")),
    siblings: targets.siblings.map((s) => ({
      agentId: s.agentId,
      tokenFile: attempt(() => readFileSync(s.tokenFile, "utf8")),
      tokenDir: attempt(() => readdirSync(dirname(s.tokenFile)).join(",")),
      environ: attempt(() => readFileSync(`/proc/${s.pid}/environ`, "utf8")),
      signal: signal(s.pid),
    })),
    controlWithoutCredential: unauthenticated.status,
    controlWithGuess: guessed.status,
  });
}

function leaveDaemon(): void {
  const daemon = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore" });
  daemon.unref();
  report("daemon", { daemon: daemon.pid });
}

async function tick(): Promise<void> {
  try {
    const res = await client.event({ type: "tick" });
    await res.body?.cancel();
    appendFileSync(join(process.env.HOME!, "calls.log"), `${Date.now()} ${res.status}\n`);
  } catch (error) {
    appendFileSync(join(process.env.HOME!, "calls.log"), `${Date.now()} 0 ${(error as Error).message}\n`);
  }
  setTimeout(() => void tick(), 200);
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line) as { type: string; prompt: string };
  if (message.prompt === "daemon") leaveDaemon();
  else void probe(JSON.parse(message.prompt) as Targets);
});
process.on("SIGTERM", () => process.exit(0));
void tick();
