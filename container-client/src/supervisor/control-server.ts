import Router from "@koa/router";
import Koa from "koa";
import type { Logger } from "pino";
import { ContainerClientError } from "../errors.js";
import { requireControlToken } from "./control-auth.js";
import { readJsonBody } from "./json-body.js";
import type { ProcessManager } from "./process-manager.js";
import { parseMessageRequest, parseStartRequest, parseTokensRequest } from "./requests.js";

const STATUS_BY_CODE: Record<string, number> = {
  ERR_INVALID_REQUEST: 400,
  ERR_UNKNOWN_AGENT: 404,
  ERR_AGENT_STATE: 409,
  ERR_NO_AGENT_UID: 503,
};
const ERROR_BY_STATUS: Record<number, string> = { 400: "invalid_request", 404: "not_found", 409: "conflict", 503: "unavailable" };

/**
 * The container control server (DESIGN.md "Container control server"): start an agent,
 * deliver a message, push a fresh pair, read an agent's status, stop an agent. Answers
 * never carry a token.
 */
export function createControlApp(manager: ProcessManager, controlToken: string, log: Logger, operations?: Router): Koa {
  const app = new Koa();
  const router = new Router();

  router.post("/agents/start", async (ctx) => {
    const { spec, tokens } = parseStartRequest(await readJsonBody(ctx));
    ctx.status = 201;
    ctx.body = await manager.start(spec, tokens);
  });
  router.post("/agents/:agentId/message", async (ctx) => {
    const agent = manager.get(ctx.params.agentId!);
    const { prompt, tokens } = parseMessageRequest(await readJsonBody(ctx));
    await agent.deliver(prompt, tokens);
    ctx.status = 202;
    ctx.body = { delivered: true, ...agent.status() };
  });
  router.put("/agents/:agentId/tokens", async (ctx) => {
    manager.get(ctx.params.agentId!);
    const pair = parseTokensRequest(await readJsonBody(ctx));
    ctx.body = await manager.pushTokens(ctx.params.agentId!, pair);
  });
  router.get("/agents/:agentId", (ctx) => {
    ctx.body = manager.get(ctx.params.agentId!).status();
  });
  router.delete("/agents/:agentId", async (ctx) => {
    ctx.body = await manager.stop(ctx.params.agentId!);
  });

  app.use(async (ctx, next) => {
    ctx.set("Cache-Control", "no-store");
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.body = { error: "not_found" };
    } catch (error) {
      const code = error instanceof ContainerClientError ? error.code : "";
      const status = STATUS_BY_CODE[code];
      if (status !== undefined) {
        ctx.status = status;
        ctx.body = { error: ERROR_BY_STATUS[status], error_description: (error as Error).message };
        return;
      }
      log.error({ err: (error as Error).message, code }, "control request failed");
      ctx.status = 500;
      ctx.body = { error: "server_error", error_description: code === "ERR_SPAWN_FAILED" ? (error as Error).message : "internal error" };
    }
  });
  // /healthz, /readyz and /metrics answer without the credential (they hold no token);
  // everything after this point requires it.
  if (operations) app.use(operations.routes());
  app.use(requireControlToken(controlToken));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
