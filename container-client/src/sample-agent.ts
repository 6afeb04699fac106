/**
 * A small scripted agent for tests and the local stack. It reads its identity from the
 * GASTOWN_* environment and calls the worker back through the plugin client every
 * `--interval-ms` (default 1000): the Mayor makes a tool call and posts an event, other
 * roles post an event. After each call it prints one JSON line
 * `{"call": "<route kind>", "status": <http status>, "ok": <bool>}`.
 *
 * stdin takes one JSON message per line: `{"type": "message", "prompt": "..."}` posts a
 * `message` event at once and prints a `{"gastown": "event"}` line for the supervisor to
 * forward; a prompt `merge <entryId>` also prints a `{"gastown": "merge"}` line; `stop`
 * (or `{"type": "stop"}`) exits with code 0, as does SIGTERM and reaching `--calls N`.
 *
 * Usage: `node dist/sample-agent.js [--interval-ms N] [--calls N]`
 */
import { createInterface } from "node:readline";
import { PluginClient } from "./plugin/client.js";

function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const raw = index >= 0 ? process.argv[index + 1] : undefined;
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
}

const intervalMs = numberArg("--interval-ms", 1000);
const maxCalls = numberArg("--calls", Number.POSITIVE_INFINITY);
const client = PluginClient.fromEnv(process.env);
const isMayor = client.identity.role === "mayor";
let calls = 0;
let ticks = 0;
let stopping = false;
let timer: NodeJS.Timeout | undefined;

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function call(kind: string, send: () => Promise<Response>): Promise<void> {
  calls += 1;
  try {
    const res = await send();
    await res.body?.cancel();
    print({ call: kind, status: res.status, ok: res.ok });
  } catch (error) {
    print({ call: kind, status: 0, ok: false, error: (error as Error).message });
  }
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  if (timer) clearTimeout(timer);
  // Let stdout drain before leaving.
  process.stdout.write("", () => process.exit(0));
}

async function tick(): Promise<void> {
  ticks += 1;
  if (isMayor) await call("tool", () => client.toolCall("list_rigs", { tick: ticks }));
  await call("events", () => client.event({ type: "tick", tick: ticks }));
  if (calls >= maxCalls) return stop();
  if (!stopping) timer = setTimeout(() => void tick(), intervalMs);
}

async function onMessage(prompt: string): Promise<void> {
  print({ gastown: "event", type: "message_received", length: prompt.length });
  await call("events", () => client.event({ type: "message", length: prompt.length }));
  const merge = /^merge\s+(\S+)/.exec(prompt);
  if (merge) print({ gastown: "merge", entry_id: merge[1], status: "merged" });
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const text = line.trim();
  if (text === "stop") return stop();
  let message: { type?: unknown; prompt?: unknown };
  try {
    message = JSON.parse(text) as typeof message;
  } catch {
    return;
  }
  if (message.type === "stop") return stop();
  if (message.type === "message" && typeof message.prompt === "string") {
    if (message.prompt === "stop") return stop();
    void onMessage(message.prompt);
  }
});

process.on("SIGTERM", stop);
process.on("SIGINT", stop);
void tick();
