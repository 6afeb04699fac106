import type { Middleware } from "koa";
import type { WorkerMetrics } from "../metrics/worker-metrics.js";
import type { RecordStore } from "../records/types.js";

export interface RouteDeps {
  records: RecordStore;
  now: () => number;
  /** JSON object body parser (bounded). */
  body: Middleware;
  /** The largest record stored (WORKER_RECORD_MAX_BYTES); larger is a 413. */
  maxRecordBytes: number;
  metrics: WorkerMetrics;
}
