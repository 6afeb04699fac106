import Router from "@koa/router";
import type { SupervisorMetrics } from "../metrics/supervisor-metrics.js";

/** A dependency that does not answer within this long counts as down. */
export const READINESS_TIMEOUT_MS = 1_000;

export interface ReadinessTargets {
  /** The auth-service base URL (refreshes go there). */
  authUrl: string;
  /** The worker-api base URL (agent callbacks go there). */
  apiUrl: string;
}

/**
 * "Answers" means any HTTP response below 500 to `GET <base>/healthz` within the
 * timeout: the service is reachable, whatever it thinks of the path.
 */
async function answers(base: string): Promise<"up" | "down"> {
  try {
    const response = await fetch(`${base.replace(/\/+$/, "")}/healthz`, { signal: AbortSignal.timeout(READINESS_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status < 500 ? "up" : "down";
  } catch {
    return "down";
  }
}

/**
 * Operations endpoints of the control server. They are served WITHOUT the control
 * credential (probes and Prometheus do not hold it) and expose no token or session id;
 * every `/agents` route still requires the credential.
 * - `GET /healthz`: liveness, 200 `{status: "ok"}` while the process serves.
 * - `GET /readyz`: 200 `{status: "ok", auth: "up", api: "up"}` when both the
 *   auth-service and the worker-api answer HTTP; 503 `{status: "unavailable", ...}` naming
 *   the one that does not (agents could neither refresh nor call back).
 * - `GET /metrics`: Prometheus exposition (see `SupervisorMetrics`).
 */
export function operationsRouter(metrics: SupervisorMetrics, targets: ReadinessTargets): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", async (ctx) => {
    const [auth, api] = await Promise.all([answers(targets.authUrl), answers(targets.apiUrl)]);
    const ready = auth === "up" && api === "up";
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? "ok" : "unavailable", auth, api };
  });
  router.get("/metrics", async (ctx) => {
    const { contentType, body } = await metrics.render();
    ctx.type = contentType;
    ctx.body = body;
  });
  return router;
}
