import type { AuthMiddleware } from "../http/state.js";

const PING_TIMEOUT_MS = 1000;

/** Liveness: the process answers. Always 200 `{status: "ok"}` (a Redis outage is /readyz's business). */
export const healthzEndpoint: AuthMiddleware = async function healthz(ctx) {
  ctx.set("Cache-Control", "no-store");
  ctx.body = { status: "ok" };
};

/**
 * Readiness: the dependencies answer. 200 `{status: "ok", redis: "up" | "memory"}`;
 * 503 `{status: "unavailable", redis: "down"}` while Redis does not answer a PING.
 */
export const readyzEndpoint: AuthMiddleware = async function readyz(ctx) {
  const { store, storeKind } = ctx.state.provider;
  ctx.set("Cache-Control", "no-store");
  if (storeKind === "memory") {
    ctx.body = { status: "ok", redis: "memory" };
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
  });
  const up = await Promise.race([store.ping().catch(() => false), timeout]);
  clearTimeout(timer);
  ctx.status = up ? 200 : 503;
  ctx.body = up ? { status: "ok", redis: "up" } : { status: "unavailable", redis: "down" };
};
