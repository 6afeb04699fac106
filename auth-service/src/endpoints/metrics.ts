import { renderMetrics } from "@gastown/service-kit";
import type { AuthMiddleware } from "../http/state.js";

/** Prometheus exposition of this instance's registry (no credentials: counts only, never ids or tokens). */
export const metricsEndpoint: AuthMiddleware = async function metrics(ctx) {
  const { contentType, body } = await renderMetrics(ctx.state.provider.metrics.registry);
  ctx.set("Cache-Control", "no-store");
  ctx.type = contentType;
  ctx.body = body;
};
