import type Router from "@koa/router";
import type { Middleware } from "koa";
import type { RecordKind } from "../records/types.js";
import { bindRoute } from "./binding.js";
import type { RouteDeps } from "./deps.js";
import { storeRecord } from "./record.js";

const RIG_AGENT_ACTIONS: Record<string, RecordKind> = { heartbeat: "heartbeat", events: "event", done: "done", completed: "completed" };
const TOWN_AGENT_ACTIONS: Record<string, RecordKind> = { heartbeat: "heartbeat", events: "event", completed: "completed" };

/**
 * Agent callbacks (DESIGN.md worker-api):
 * `POST /api/towns/:townId/rigs/:rigId/agents/:agentId/{heartbeat,events,done,completed}`,
 * `POST /api/towns/:townId/rigs/:rigId/sling`,
 * `POST /api/towns/:townId/agents/:agentId/{heartbeat,events,completed}`.
 */
export function registerAgentRoutes(router: Router, deps: RouteDeps, guard: Middleware[]): void {
  for (const [action, kind] of Object.entries(RIG_AGENT_ACTIONS)) {
    router.post(`/api/towns/:townId/rigs/:rigId/agents/:agentId/${action}`, ...guard, bindRoute("rig-agent"), deps.body, (ctx) =>
      storeRecord(ctx, deps, kind),
    );
  }
  router.post("/api/towns/:townId/rigs/:rigId/sling", ...guard, bindRoute("rig-member"), deps.body, (ctx) =>
    storeRecord(ctx, deps, "sling"),
  );
  for (const [action, kind] of Object.entries(TOWN_AGENT_ACTIONS)) {
    router.post(`/api/towns/:townId/agents/:agentId/${action}`, ...guard, bindRoute("town-agent"), deps.body, (ctx) =>
      storeRecord(ctx, deps, kind),
    );
  }
}
