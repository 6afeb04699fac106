import type { AuthMiddleware } from "./state.js";

/** RFC 6749 §5.1: responses carrying tokens must not be cached. */
export const noStore: AuthMiddleware = async (ctx, next) => {
  ctx.set("Cache-Control", "no-store");
  ctx.set("Pragma", "no-cache");
  await next();
};
