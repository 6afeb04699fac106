import { errorMiddleware, type Logger, readJsonObject, requireStaticBearer } from "@gastown/service-kit";
import Router from "@koa/router";
import Koa, { type Context } from "koa";
import type { ProcessManager } from "./process-manager.js";
import { parseMessageRequest, parseStartRequest, parseTokensRequest } from "./requests.js";

/** Largest control request: a prompt of up to 256 Ki characters plus a token pair, JSON-escaped. */
const MAX_BODY_BYTES = 512 * 1024;
const readJsonBody = (ctx: Context) => readJsonObject(ctx, MAX_BODY_BYTES);

/**
 * The container control server (DESIGN.md "Container control server"): start an agent,
 * deliver a message, push a fresh pair, read an agent's status, stop an agent. Answers
 * never carry a token. Errors answer by service-kit's one rule (their status, code and
 * expose flag); bodies by its one body rule.
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
    await next();
  });
  app.use(errorMiddleware({ log }));
  // /healthz, /readyz and /metrics answer without the credential (they hold no token);
  // everything after this point requires it.
  if (operations) app.use(operations.routes());
  // Only the worker: `Authorization: Bearer <CONTAINER_CONTROL_TOKEN>` (RFC 6750 §3), before any body is read.
  app.use(requireStaticBearer(controlToken, { what: "the control credential" }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
