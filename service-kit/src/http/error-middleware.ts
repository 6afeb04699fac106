import type { Context, Middleware, Next } from "koa";
import type { Logger } from "pino";
import { errorAnswer, errorSummary } from "../errors/http-answer.js";

export interface ErrorMiddlewareOptions {
  /** Where unexposed errors are logged (their detail never reaches the client). */
  log: Pick<Logger, "error"> | ((ctx: Context) => Pick<Logger, "error">);
  /** Answer `{"error": "not_found"}` when no route answered (default true). */
  notFoundBody?: boolean;
}

/**
 * The Koa error middleware of every service (see `errorAnswer` for the rule). Error
 * answers carry `Cache-Control: no-store`.
 */
export function errorMiddleware(options: ErrorMiddlewareOptions): Middleware {
  const logFor = typeof options.log === "function" ? options.log : () => options.log as Pick<Logger, "error">;
  const notFoundBody = options.notFoundBody ?? true;
  return async function errors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (notFoundBody && ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.set("Cache-Control", "no-store");
        ctx.body = { error: "not_found" };
      }
    } catch (error) {
      const answer = errorAnswer(error);
      if (!answer.exposed) logFor(ctx).error({ err: errorSummary(error), method: ctx.method, path: ctx.path }, "unexpected error");
      ctx.status = answer.status;
      ctx.set("Cache-Control", "no-store");
      for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value);
      ctx.body = answer.body;
    }
  };
}
