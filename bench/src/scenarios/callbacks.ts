import { startChild } from "../children/start-child.js";
import type { Progress } from "../progress.js";
import type { CallbackFigures } from "../report/report.js";
import type { AuthTarget } from "../targets/auth-target.js";
import { measurePosts } from "./post-throughput.js";
import type { BenchSettings } from "./settings.js";

export const CALLBACK_BODY = JSON.stringify({ status: "working", detail: "bench heartbeat" });
export const CALLBACK_ROUTE = "POST /api/towns/:townId/rigs/:rigId/agents/:agentId/heartbeat, small JSON body";
const JSON_HEADERS = { "content-type": "application/json" };

const callbackPath = (agentId: string) => `/api/towns/town-1/rigs/rig-1/agents/${agentId}/heartbeat`;

/**
 * Throughput of one small authenticated callback (an agent's heartbeat, each client with
 * its own agent's access token) against bare Koa and the worker-api, each server in its
 * own process. The worker-api has no switch to turn authentication off, so "off" is not
 * measured over HTTP: the token check's cost is measured in process (token-check.ts).
 */
export async function measureCallbacks(auth: AuthTarget, redisUrl: string, concurrency: number, settings: BenchSettings, progress: Progress): Promise<CallbackFigures> {
  const figures: CallbackFigures = { concurrency, route: CALLBACK_ROUTE };
  const sessions = await auth.dispatch(concurrency);
  const bare = await startChild("bare-koa", {}, { cpuProfileDir: settings.cpuProfileDir });
  try {
    figures.bareKoa = await measurePosts(
      { label: "bare Koa, small POST", origin: bare.url, request: (index) => ({ path: callbackPath(`agent-${index}`), body: CALLBACK_BODY, headers: JSON_HEADERS }) },
      concurrency,
      settings.durationMs,
      settings.warmupMs,
      progress,
    );
  } finally {
    await bare.stop();
  }
  const worker = await startChild(
    "worker-server",
    { redisUrl, prefix: auth.prefix, authUrl: auth.child.url, clientId: auth.dispatcher.id, clientSecret: auth.dispatcher.secret },
    { cpuProfileDir: settings.cpuProfileDir },
  );
  try {
    figures.authOn = await measurePosts(
      {
        label: "worker-api callbacks, authenticated",
        origin: worker.url,
        request: (index) => {
          const session = sessions[index];
          if (!session) throw new Error(`no session for client ${index}`);
          return { path: callbackPath(session.agentId), body: CALLBACK_BODY, headers: { ...JSON_HEADERS, authorization: `Bearer ${session.accessToken}` } };
        },
      },
      concurrency,
      settings.durationMs,
      settings.warmupMs,
      progress,
    );
    figures.cache = await worker.request<{ hits: number; misses: number }>("cacheStats");
  } finally {
    await worker.stop();
  }
  return figures;
}
