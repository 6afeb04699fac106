import { performance } from "node:perf_hooks";

export interface RateFigure {
  label: string;
  operations: number;
  perSecond: number;
  /** Mean time per operation, microseconds. */
  microseconds: number;
}

/**
 * In-process rate of an async operation: calls it back to back (one at a time) for
 * `durationMs` after a short warm-up, and fails if any call rejects.
 */
export async function measureRate(label: string, operation: () => Promise<unknown>, durationMs: number): Promise<RateFigure> {
  const warmupEnd = performance.now() + Math.min(500, durationMs / 4);
  while (performance.now() < warmupEnd) await operation();
  let operations = 0;
  const start = performance.now();
  const end = start + durationMs;
  let now = start;
  // Check the clock every 64 calls: reading it costs about as much as a cache hit.
  while (now < end) {
    for (let i = 0; i < 64; i++) await operation();
    operations += 64;
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  return { label, operations, perSecond: operations / seconds, microseconds: (seconds * 1e6) / operations };
}

/** One figure from several turns of the same operation (operations and time added up). */
export function mergeRates(turns: readonly RateFigure[]): RateFigure {
  const operations = turns.reduce((sum, turn) => sum + turn.operations, 0);
  const seconds = turns.reduce((sum, turn) => sum + turn.operations / turn.perSecond, 0);
  return { label: turns[0]?.label ?? "", operations, perSecond: operations / seconds, microseconds: (seconds * 1e6) / operations };
}
