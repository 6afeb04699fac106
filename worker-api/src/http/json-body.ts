import { readJsonObject } from "@gastown/service-kit";
import type { Context, Next } from "koa";

declare module "koa" {
  interface DefaultState {
    body?: Record<string, unknown>;
  }
}

/** Largest JSON body an agent or the operator may post. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Bodies are JSON objects (DESIGN.md worker-api), read by service-kit's one rule (415 for
 * another media type, 413 over the limit, 400 malformed); the object lands in `ctx.state.body`.
 */
export function jsonObjectBody(maxBytes: number = MAX_BODY_BYTES) {
  return async function jsonObjectBodyMiddleware(ctx: Context, next: Next): Promise<void> {
    ctx.state.body = await readJsonObject(ctx, maxBytes);
    await next();
  };
}
