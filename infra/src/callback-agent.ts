/**
 * An agent for the soak, the fault tests and the local stack: it calls the worker back
 * continuously through the plugin client (token from the token file, nothing else), one
 * call at a time, cycling through every kind of callback its role has: the Mayor makes
 * tool calls, heartbeats, events and completion reports; rig agents make heartbeats,
 * events and completion reports.
 *
 * After each call it prints one JSON line `{"call", "status", "ok", "seq", "pid", "at"}` and,
 * with `--record-dir DIR`, appends the same line to `DIR/<agent id>.<pid>.jsonl` (synchronously,
 * so a test can count every callback the agent sent, even after the process is gone; one
 * file per process, since each run of an agent may have its own uid).
 *
 * stdin: `{"type": "message", "prompt": "..."}` posts a `message` event; `stop` exits.
 * SIGTERM/SIGINT: finishes the call in flight, then exits 0.
 *
 * Usage: `node dist/callback-agent.js [--interval-ms N] [--record-dir DIR]`
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PluginClient } from "@gastown/container-client";

type CallKind = "tool" | "heartbeat" | "events" | "completed";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const intervalMs = Number(argument("--interval-ms") ?? 250);
if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError("--interval-ms must be a non-negative number");
const recordDir = argument("--record-dir");
const client = PluginClient.fromEnv(process.env);
const cycle: CallKind[] = client.identity.role === "mayor" ? ["tool", "heartbeat", "events", "completed"] : ["heartbeat", "events", "completed"];
const recordFile = recordDir === undefined ? undefined : join(recordDir, `${client.identity.agentId}.${process.pid}.jsonl`);

let seq = 0;
let stopping = false;
let timer: NodeJS.Timeout | undefined;
let inFlight: Promise<void> | undefined;

function send(kind: CallKind, body: Record<string, unknown>): Promise<Response> {
  switch (kind) {
    case "tool":
      return client.toolCall("list_rigs", body);
    case "heartbeat":
      return client.heartbeat(body);
    case "events":
      return client.event(body);
    case "completed":
      return client.completed({ ...body, status: "progress" });
  }
}

async function call(kind: CallKind, extra: Record<string, unknown> = {}): Promise<void> {
  seq += 1;
  const line: Record<string, unknown> = { call: kind, status: 0, ok: false, seq, pid: process.pid, at: 0 };
  try {
    const res = await send(kind, { seq, pid: process.pid, ...extra });
    await res.body?.cancel();
    line.status = res.status;
    line.ok = res.ok;
  } catch (error) {
    line.error = (error as Error).message;
  }
  line.at = Date.now();
  const text = `${JSON.stringify(line)}\n`;
  if (recordFile !== undefined) appendFileSync(recordFile, text);
  process.stdout.write(text);
}

function tick(): void {
  if (stopping) return;
  const kind = cycle[seq % cycle.length]!;
  inFlight = call(kind).finally(() => {
    inFlight = undefined;
    if (!stopping) timer = setTimeout(tick, intervalMs);
  });
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (timer) clearTimeout(timer);
  await inFlight;
  process.stdout.write("", () => process.exit(0));
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const text = line.trim();
  if (text === "stop") return void stop();
  try {
    const message = JSON.parse(text) as { type?: unknown; prompt?: unknown };
    if (message.type === "stop") return void stop();
    if (message.type === "message" && typeof message.prompt === "string" && !stopping) {
      void call("events", { type: "message", length: message.prompt.length });
    }
  } catch {
    // not a message
  }
});
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
tick();
