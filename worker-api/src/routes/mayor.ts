import type Router from "@koa/router";
import type { Middleware } from "koa";
import { InvalidRequestError } from "../errors.js";
import { bindRoute } from "./binding.js";
import type { RouteDeps } from "./deps.js";
import { storeRecord } from "./record.js";

/** Tool names (DESIGN.md worker-api). */
const TOOL_NAME = /^[a-z_]{1,64}$/;

/** `POST /api/mayor/:townId/tools/:tool`: recorded; what a tool does is outside this service. */
export function registerMayorRoutes(router: Router, deps: RouteDeps, guard: Middleware[]): void {
  router.post("/api/mayor/:townId/tools/:tool", ...guard, bindRoute("mayor"), deps.body, async (ctx) => {
    const tool = ctx.params.tool ?? "";
    if (!TOOL_NAME.test(tool)) throw new InvalidRequestError("tool names match [a-z_]{1,64}");
    await storeRecord(ctx, deps, "tool", { tool });
  });
}
