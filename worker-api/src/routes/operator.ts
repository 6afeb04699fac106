import { type AgentIdentity, requireStaticBearer } from "@gastown/service-kit";
import { isId, isRole } from "@gastown/token-policy";
import type Router from "@koa/router";
import type { Middleware } from "koa";
import type { Dispatcher } from "../dispatch/dispatcher.js";
import { InvalidRequestError, UnknownAgentError } from "../errors.js";
import type { RecordStore } from "../records/types.js";

export interface OperatorDeps {
  operatorToken: string;
  dispatcher: Dispatcher;
  records: RecordStore;
  body: Middleware;
}

function identityFrom(townId: string, body: Record<string, unknown>): AgentIdentity | string {
  const { agent_id, rig_id, user_id, role } = body;
  if (!isId(townId)) return "malformed town id";
  if (!isId(agent_id)) return "agent_id is missing or malformed";
  if (!isId(user_id)) return "user_id is missing or malformed";
  if (rig_id !== undefined && rig_id !== null && !isId(rig_id)) return "rig_id is malformed";
  if (!isRole(role)) return "role is missing or unknown";
  return { agent_id, town_id: townId, user_id, role, ...(isId(rig_id) ? { rig_id } : {}) };
}

/**
 * Operator API (DESIGN.md worker-api): start agents, send messages, read what the worker
 * knows of an agent and exactly what it posted. `Authorization: Bearer
 * <WORKER_OPERATOR_TOKEN>` (service-kit, constant time); the dispatcher's errors carry
 * their own status (404, 409, 502) to the app's error middleware.
 */
export function registerOperatorRoutes(router: Router, deps: OperatorDeps): void {
  const guard = [requireStaticBearer(deps.operatorToken, { what: "the operator token" })];

  router.post("/operator/towns/:townId/agents", ...guard, deps.body, async (ctx) => {
    const body = ctx.state.body ?? {};
    const identity = identityFrom(ctx.params.townId ?? "", body);
    if (typeof identity === "string") throw new InvalidRequestError(identity);
    if (body.prompt !== undefined && typeof body.prompt !== "string") throw new InvalidRequestError("prompt must be a string");
    ctx.status = 201;
    ctx.body = await deps.dispatcher.startAgentInContainer(identity, body.prompt as string | undefined);
  });

  router.post("/operator/towns/:townId/agents/:agentId/messages", ...guard, deps.body, async (ctx) => {
    const prompt = ctx.state.body?.prompt;
    if (typeof prompt !== "string" || prompt.length === 0) throw new InvalidRequestError("prompt is required");
    ctx.status = 202;
    ctx.body = await deps.dispatcher.sendMayorMessage(ctx.params.townId ?? "", ctx.params.agentId ?? "", prompt);
  });

  router.delete("/operator/towns/:townId/agents/:agentId", ...guard, async (ctx) => {
    ctx.body = await deps.dispatcher.stopAgent(ctx.params.townId ?? "", ctx.params.agentId ?? "", "operator", true);
  });

  router.get("/operator/towns/:townId/agents/:agentId", ...guard, async (ctx) => {
    const townId = ctx.params.townId ?? "";
    const agentId = ctx.params.agentId ?? "";
    const view = await deps.dispatcher.view(townId, agentId);
    const stored = await deps.records.read(townId, agentId);
    const posted = Object.values(stored.counts).some((n) => n > 0);
    if (!view && !posted) throw new UnknownAgentError("unknown agent");
    ctx.body = {
      ...(view ?? { agent_id: agentId, town_id: townId, state: "unknown", session_id: null, renewals: 0 }),
      last_heartbeat: stored.last_heartbeat,
      counts: stored.counts,
    };
  });

  router.get("/operator/towns/:townId/agents/:agentId/records", ...guard, async (ctx) => {
    ctx.body = await deps.records.read(ctx.params.townId ?? "", ctx.params.agentId ?? "");
  });
}
