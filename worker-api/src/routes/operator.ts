import { createHash, timingSafeEqual } from "node:crypto";
import { isId, isRole } from "@gastown/token-policy";
import type Router from "@koa/router";
import type { Context, Middleware, Next } from "koa";
import type { Dispatcher } from "../dispatch/dispatcher.js";
import type { AgentIdentity } from "../dispatch/types.js";
import { AgentAlreadyRunningError, AgentBusyError, AgentRevokedError, AuthClientError, ContainerError, UnknownAgentError } from "../errors.js";
import { BARE_CHALLENGE, INVALID_TOKEN_CHALLENGE, sendError, unauthorized } from "../http/respond.js";
import type { RecordStore } from "../records/types.js";

export interface OperatorDeps {
  operatorToken: string;
  dispatcher: Dispatcher;
  records: RecordStore;
  body: Middleware;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** `Authorization: Bearer <WORKER_OPERATOR_TOKEN>`, compared in constant time on digests. */
function operatorAuth(operatorToken: string): Middleware {
  const expected = digest(operatorToken);
  return async function operatorAuthMiddleware(ctx: Context, next: Next): Promise<void> {
    const header = ctx.get("authorization");
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match) {
      unauthorized(ctx, BARE_CHALLENGE, "unauthorized", "the operator token is required");
      return;
    }
    if (!timingSafeEqual(digest(match[1] ?? ""), expected)) {
      unauthorized(ctx, INVALID_TOKEN_CHALLENGE, "invalid_token", "wrong operator token");
      return;
    }
    await next();
  };
}

/** Maps dispatcher failures to operator answers; anything else is a 500 without detail. */
async function mapErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (error instanceof UnknownAgentError) sendError(ctx, 404, "not_found", error.message);
    else if (error instanceof AgentAlreadyRunningError) sendError(ctx, 409, "conflict", error.message);
    else if (error instanceof AgentRevokedError) sendError(ctx, 409, "agent_revoked", error.message);
    else if (error instanceof ContainerError) sendError(ctx, 502, "container_error", error.message);
    else if (error instanceof AuthClientError) sendError(ctx, 502, "auth_error", error.message);
    else if (error instanceof AgentBusyError) sendError(ctx, 503, "busy", error.message);
    else throw error;
  }
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
 * knows of an agent and exactly what it posted.
 */
export function registerOperatorRoutes(router: Router, deps: OperatorDeps): void {
  const guard = [operatorAuth(deps.operatorToken), mapErrors];

  router.post("/operator/towns/:townId/agents", ...guard, deps.body, async (ctx) => {
    const body = ctx.state.body ?? {};
    const identity = identityFrom(ctx.params.townId ?? "", body);
    if (typeof identity === "string") return sendError(ctx, 400, "invalid_request", identity);
    if (body.prompt !== undefined && typeof body.prompt !== "string") return sendError(ctx, 400, "invalid_request", "prompt must be a string");
    ctx.status = 201;
    ctx.body = await deps.dispatcher.startAgentInContainer(identity, body.prompt as string | undefined);
  });

  router.post("/operator/towns/:townId/agents/:agentId/messages", ...guard, deps.body, async (ctx) => {
    const prompt = ctx.state.body?.prompt;
    if (typeof prompt !== "string" || prompt.length === 0) return sendError(ctx, 400, "invalid_request", "prompt is required");
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
    if (!view && !posted) return sendError(ctx, 404, "not_found", "unknown agent");
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
