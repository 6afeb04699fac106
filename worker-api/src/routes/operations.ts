import type { RedisConnection } from "@gastown/service-kit";
import type Router from "@koa/router";
import type { Context } from "koa";
import type { JwksKeySource } from "../auth/jwks.js";
import type { WorkerMetrics } from "../metrics/worker-metrics.js";

/** A readiness check that does not answer within this long counts as down. */
export const READINESS_TIMEOUT_MS = 1_000;

export interface OperationsDeps {
  metrics: WorkerMetrics;
  keys: JwksKeySource;
  /** The records connection; undefined in memory mode. */
  redis: RedisConnection | undefined;
  /** False while the revoked set is not confirmed complete (agent tokens get 503 then). */
  revocationsConfirmed: () => boolean;
}

/** Resolves the check's answer, or false once `READINESS_TIMEOUT_MS` passed or it threw. */
async function withinTimeout(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function redisState(redis: RedisConnection | undefined): Promise<"up" | "down" | "memory"> {
  if (!redis) return "memory";
  return (await withinTimeout(async () => (await redis.ping()) === "PONG")) ? "up" : "down";
}

/** Keys already held, or a fetch now (bounded; the JWKS source shares one fetch among callers). */
async function keysState(keys: JwksKeySource): Promise<"loaded" | "missing"> {
  if (keys.keyCount > 0) return "loaded";
  const fetched = await withinTimeout(async () => {
    await keys.refresh();
    return keys.keyCount > 0;
  });
  return fetched ? "loaded" : "missing";
}

/**
 * Operations endpoints, unauthenticated (like Prometheus scrapes and orchestrator probes
 * expect) and holding no token, session id or agent id:
 * - `GET /healthz`: liveness, 200 `{status: "ok"}` while the process serves.
 * - `GET /readyz`: 200 `{status: "ok", redis, keys, revocations}` when Redis answers a PING
 *   (or the worker runs in memory), verification keys from the JWKS are held and the revoked
 *   set is confirmed complete (`revocations: "synced"`, else `"stale"`); 503
 *   `{status: "unavailable", ...}` naming what is down.
 * - `GET /metrics`: Prometheus exposition of this instance's registry.
 */
export function registerOperationsRoutes(router: Router, deps: OperationsDeps): void {
  const noStore = (ctx: Context) => ctx.set("cache-control", "no-store");
  router.get("/healthz", (ctx) => {
    noStore(ctx);
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", async (ctx) => {
    noStore(ctx);
    const [redis, keys] = await Promise.all([redisState(deps.redis), keysState(deps.keys)]);
    const revocations = deps.revocationsConfirmed() ? "synced" : "stale";
    const ready = redis !== "down" && keys === "loaded" && revocations === "synced";
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? "ok" : "unavailable", redis, keys, revocations };
  });
  router.get("/metrics", async (ctx) => {
    noStore(ctx);
    const { contentType, body } = await deps.metrics.render();
    ctx.type = contentType;
    ctx.body = body;
  });
}
