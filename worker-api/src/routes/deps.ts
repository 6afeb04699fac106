import type { Middleware } from "koa";
import type { RecordStore } from "../records/types.js";

export interface RouteDeps {
  records: RecordStore;
  now: () => number;
  /** JSON object body parser (bounded). */
  body: Middleware;
}
