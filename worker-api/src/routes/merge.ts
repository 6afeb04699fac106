import { isId } from "@gastown/token-policy";
import type Router from "@koa/router";
import type { Middleware } from "koa";
import { InvalidRequestError } from "../errors.js";
import { bindRoute } from "./binding.js";
import type { RouteDeps } from "./deps.js";
import { storeRecord } from "./record.js";

/** `POST /api/towns/:townId/rigs/:rigId/review-queue/:entryId/complete`: the merge callback. */
export function registerMergeRoutes(router: Router, deps: RouteDeps, guard: Middleware[]): void {
  router.post("/api/towns/:townId/rigs/:rigId/review-queue/:entryId/complete", ...guard, bindRoute("rig-member"), deps.body, async (ctx) => {
    const entryId = ctx.params.entryId ?? "";
    if (!isId(entryId)) throw new InvalidRequestError("malformed review-queue entry id");
    await storeRecord(ctx, deps, "merge", { entry_id: entryId });
  });
}
