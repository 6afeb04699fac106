import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthMiddleware } from "../http/state.js";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** `Authorization: Bearer <AUTH_ADMIN_TOKEN>`, compared in constant time (equal-length digests). */
export const requireAdmin: AuthMiddleware = async function requireAdmin(ctx, next) {
  ctx.set("Cache-Control", "no-store");
  const match = /^Bearer +(\S+) *$/i.exec(ctx.get("authorization"));
  const presented = digest(match?.[1] ?? "");
  const expected = digest(ctx.state.provider.adminToken);
  if (!match || !timingSafeEqual(presented, expected)) {
    ctx.status = 401;
    ctx.set("WWW-Authenticate", match ? 'Bearer realm="gastown-admin", error="invalid_token"' : 'Bearer realm="gastown-admin"');
    ctx.body = { error: "unauthorized" };
    return;
  }
  await next();
};
