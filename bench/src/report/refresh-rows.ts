import type { RefreshFigure } from "../scenarios/refresh-grants.js";
import { integer, millis } from "./format.js";
import type { Cell } from "./table.js";

/** Header of the quick refresh tables (run-refresh, run-replica-wait); `server` names the second column. */
export function refreshHeader(server: string): Cell[] {
  return ["chains", server, "grants/s", "p50 ms", "p95 ms", "p99 ms", "errors", "server CPU µs/grant"];
}

/** One row per figure, in `refreshHeader`'s columns. */
export function refreshRows(figures: readonly RefreshFigure[]): Cell[][] {
  return figures.map(({ target, concurrency, result, cpuMicrosPerGrant }) => [
    concurrency,
    target,
    integer(result.perSecond),
    millis(result.p50),
    millis(result.p95),
    millis(result.p99),
    integer(result.errors),
    cpuMicrosPerGrant === undefined ? "n/a" : integer(cpuMicrosPerGrant),
  ]);
}
