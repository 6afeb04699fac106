import type Router from "@koa/router";
import type { Middleware } from "koa";
import { sendError } from "../http/respond.js";
import { bindRoute } from "./binding.js";
import type { RouteDeps } from "./deps.js";
import { storeRecord } from "./record.js";

/** Tool names (DESIGN.md worker-api). */
const TOOL_NAME = /^[a-z_]{1,64}$/;

/** `POST /api/mayor/:townId/tools/:tool`: recorded; what a tool does is outside this service. */
export function registerMayorRoutes(router: Router, deps: RouteDeps, guard: Middleware[]): void {
  router.post("/api/mayor/:townId/tools/:tool", ...guard, bindRoute("mayor"), deps.body, async (ctx) => {
    const tool = ctx.params.tool ?? "";
    if (!TOOL_NAME.test(tool)) {
      sendError(ctx, 400, "invalid_request", "tool names match [a-z_]{1,64}");
      return;
    }
    await storeRecord(ctx, deps, "tool", { tool });
  });
}
