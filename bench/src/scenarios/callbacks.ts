import { startChild } from "../children/start-child.js";
import { type ClosedLoopResult, mergeRuns } from "../load/closed-loop.js";
import type { Progress } from "../progress.js";
import type { CallbackFigures } from "../report/report.js";
import type { AuthTarget } from "../targets/auth-target.js";
import { measurePosts, type PostLoad } from "./post-throughput.js";
import type { BenchSettings } from "./settings.js";

export const CALLBACK_BODY = JSON.stringify({ status: "working", detail: "bench heartbeat" });
export const CALLBACK_ROUTE = "POST /api/towns/:townId/rigs/:rigId/agents/:agentId/heartbeat, small JSON body";
const JSON_HEADERS = { "content-type": "application/json" };
const TURN_WARMUP_MS = 500;

const callbackPath = (agentId: string) => `/api/towns/town-1/rigs/rig-1/agents/${agentId}/heartbeat`;

/**
 * Throughput of one small authenticated callback (an agent's heartbeat, each client with
 * its own agent's access token) against bare Koa, the worker-api as deployed, and the same
 * worker-api app without authentication (built by the bench child with `createWorkerApp`
 * and an authenticator that sets fixed claims; see children/worker-server.ts). The servers
 * take turns; the two worker-api servers share one process, and the same requests (token
 * header included) go to both.
 */
export async function measureCallbacks(auth: AuthTarget, redisUrl: string, concurrency: number, settings: BenchSettings, progress: Progress): Promise<CallbackFigures> {
  const sessions = await auth.dispatch(concurrency);
  const bare = await startChild("bare-koa", {}, { cpuProfileDir: settings.cpuProfileDir });
  const worker = await startChild(
    "worker-server",
    { redisUrl, prefix: auth.prefix, authUrl: auth.child.url, clientId: auth.dispatcher.id, clientSecret: auth.dispatcher.secret, ...(settings.logLevel ? { logLevel: settings.logLevel } : {}) },
    { cpuProfileDir: settings.cpuProfileDir },
  ).catch(async (error: unknown) => {
    await bare.stop();
    throw error;
  });
  const agentCallback = (index: number) => {
    const session = sessions[index];
    if (!session) throw new Error(`no session for client ${index}`);
    return { path: callbackPath(session.agentId), body: CALLBACK_BODY, headers: { ...JSON_HEADERS, authorization: `Bearer ${session.accessToken}` } };
  };
  const loads: PostLoad[] = [
    { label: "bare Koa, small POST", origin: bare.url, request: (index) => ({ path: callbackPath(`agent-${index}`), body: CALLBACK_BODY, headers: JSON_HEADERS }) },
    { label: "worker-api callbacks, without authentication", origin: String(worker.ready.noAuthUrl), request: agentCallback },
    { label: "worker-api callbacks, authenticated", origin: worker.url, request: agentCallback },
  ];
  const runs: ClosedLoopResult[][] = [[], [], []];
  const rounds = Math.max(1, settings.rounds);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [index, load] of loads.entries()) {
        const warmup = round === 0 ? settings.warmupMs : Math.min(settings.warmupMs, TURN_WARMUP_MS);
        runs[index]?.push(await measurePosts(load, concurrency, settings.durationMs / rounds, warmup, progress));
      }
    }
    const cache = await worker.request<{ hits: number; misses: number }>("cacheStats");
    return { concurrency, route: CALLBACK_ROUTE, bareKoa: mergeRuns(runs[0] ?? []), authOff: mergeRuns(runs[1] ?? []), authOn: mergeRuns(runs[2] ?? []), cache };
  } finally {
    await Promise.all([bare.stop(), worker.stop()]);
  }
}
