import { createHash, timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * Only the worker may call the control server: `Authorization: Bearer
 * <CONTAINER_CONTROL_TOKEN>`, compared in constant time on equal-length digests. A
 * missing or wrong credential gets 401 (RFC 6750 §3) before any body is read.
 */
export function requireControlToken(controlToken: string): Middleware {
  const expected = digest(controlToken);
  return async (ctx, next) => {
    const header = ctx.get("authorization");
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    const presented = match ? digest(match[1]!) : digest("");
    if (!match || !timingSafeEqual(presented, expected)) {
      ctx.status = 401;
      ctx.set("WWW-Authenticate", match ? 'Bearer error="invalid_token"' : "Bearer");
      ctx.body = { error: "unauthorized", error_description: "a valid control credential is required" };
      return;
    }
    await next();
  };
}
