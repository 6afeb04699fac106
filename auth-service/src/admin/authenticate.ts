import { requireStaticBearer } from "@gastown/service-kit";
import type { AuthMiddleware } from "../http/state.js";

/** `Authorization: Bearer <AUTH_ADMIN_TOKEN>` (service-kit, constant time); admin answers are never cached. */
export function requireAdmin(adminToken: string): AuthMiddleware[] {
  const bearer = requireStaticBearer(adminToken, { what: "the admin token", realm: "gastown-admin" });
  const noStore: AuthMiddleware = async (ctx, next) => {
    ctx.set("Cache-Control", "no-store");
    await next();
  };
  return [noStore, bearer as unknown as AuthMiddleware];
}
