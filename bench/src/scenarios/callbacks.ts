import { startChild } from "../children/start-child.js";
import type { Progress } from "../progress.js";
import type { CallbackFigures } from "../report/report.js";
import { measurePosts } from "./post-throughput.js";
import type { BenchSettings } from "./settings.js";

export const CALLBACK_BODY = JSON.stringify({ status: "working", detail: "bench heartbeat" });
const JSON_HEADERS = { "content-type": "application/json" };

export const callbackPath = (index: number) => `/api/towns/town-1/rigs/rig-1/agents/agent-${index}/heartbeat`;

/**
 * Throughput of one small authenticated callback (an agent's heartbeat) against bare Koa,
 * the worker-api with authentication off, and with it on; each server in its own process.
 */
export async function measureCallbacks(redisUrl: string, concurrency: number, settings: BenchSettings, progress: Progress, notes: string[]): Promise<CallbackFigures> {
  const figures: CallbackFigures = { concurrency, route: "POST /api/towns/:townId/rigs/:rigId/agents/:agentId/heartbeat, small JSON body" };
  const bare = await startChild("bare-koa", {}, { cpuProfileDir: settings.cpuProfileDir });
  try {
    figures.bareKoa = await measurePosts(
      { label: "bare Koa, small POST", origin: bare.url, request: (index) => ({ path: callbackPath(index), body: CALLBACK_BODY, headers: JSON_HEADERS }) },
      concurrency,
      settings.durationMs,
      settings.warmupMs,
      progress,
    );
  } finally {
    await bare.stop();
  }
  void redisUrl;
  if (!notes.some((note) => note.startsWith("Worker-api callbacks"))) {
    notes.push("Worker-api callbacks: not measured, the worker-api exposes no app with authentication switched off yet.");
  }
  return figures;
}
