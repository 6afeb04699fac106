import type { RedisConnection } from "@gastown/service-kit";
import { errorMiddleware } from "@gastown/service-kit";
import Router from "@koa/router";
import Koa, { type Middleware } from "koa";
import type { JwksKeySource } from "./auth/jwks.js";
import type { Dispatcher } from "./dispatch/dispatcher.js";
import { jsonObjectBody } from "./http/json-body.js";
import type { Logger } from "./log.js";
import type { WorkerMetrics } from "./metrics/worker-metrics.js";
import { DEFAULT_RECORD_LIMITS } from "./records/limits.js";
import type { RecordStore } from "./records/types.js";
import { registerAgentRoutes } from "./routes/agents.js";
import { registerMayorRoutes } from "./routes/mayor.js";
import { registerMergeRoutes } from "./routes/merge.js";
import { registerOperationsRoutes } from "./routes/operations.js";
import { registerOperatorRoutes } from "./routes/operator.js";

/** What the worker-api's Koa app is built from (`startWorkerApi` wires the real ones). */
export interface WorkerAppDeps {
  /**
   * The step in front of every agent route: it sets `ctx.state.claims` or answers the
   * request itself. `startWorkerApi` always passes `authenticate(...)` (auth/middleware.ts);
   * nothing read from settings or the environment chooses it. Only code that builds an app
   * itself (the bench, comparing the same app without the check) passes another.
   */
  authenticator: Middleware;
  records: RecordStore;
  now: () => number;
  log: Logger;
  operatorToken: string;
  dispatcher: Dispatcher;
  metrics: WorkerMetrics;
  keys: JwksKeySource;
  /** The records connection (readiness); undefined in memory mode. */
  redis?: RedisConnection;
  /** The largest record an agent may store (default `DEFAULT_RECORD_LIMITS`). */
  maxRecordBytes?: number;
  /** Readiness: is the revoked set confirmed complete? (`RunningWorkerApi.revocationsConfirmed`) */
  revocationsConfirmed: () => boolean;
}

/** The worker-api's routes as a Koa app (give `app.callback()` to an HTTP server). */
export function createWorkerApp(deps: WorkerAppDeps): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  // service-kit's one error-to-HTTP rule: errors carry their status, code and expose.
  app.use(errorMiddleware({ log: deps.log }));
  const router = new Router();
  const body = jsonObjectBody();
  const guard = [deps.authenticator];
  const routeDeps = { records: deps.records, now: deps.now, body, maxRecordBytes: deps.maxRecordBytes ?? DEFAULT_RECORD_LIMITS.maxRecordBytes, metrics: deps.metrics };
  registerAgentRoutes(router, routeDeps, guard);
  registerMayorRoutes(router, routeDeps, guard);
  registerMergeRoutes(router, routeDeps, guard);
  registerOperatorRoutes(router, { operatorToken: deps.operatorToken, dispatcher: deps.dispatcher, records: deps.records, body });
  registerOperationsRoutes(router, { metrics: deps.metrics, keys: deps.keys, redis: deps.redis, revocationsConfirmed: deps.revocationsConfirmed });
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
