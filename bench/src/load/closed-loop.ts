import { performance } from "node:perf_hooks";
import { type RunSummary, SampleBuffer, summarize } from "./stats.js";

/**
 * One virtual client: performs one operation and says whether it succeeded. A worker
 * that answers `"stop"` leaves the run (for example a refresh chain that was lost and has
 * no spare to take over); it counts as an error.
 */
export type Operation = () => Promise<boolean | "stop">;

export interface ClosedLoopOptions {
  /** Number of virtual clients, each with at most one operation in flight. */
  concurrency: number;
  /** Measured window. */
  durationMs: number;
  /** Run first without recording (connections, JIT, caches). */
  warmupMs: number;
  /** Builds the operation of client `index` (0-based). */
  worker: (index: number) => Operation;
  /** Called about every 500 ms with what happened so far (for a progress line). */
  onTick?: (status: { phase: "warmup" | "measure"; elapsedMs: number; ok: number; errors: number }) => void;
}

export interface ClosedLoopResult extends RunSummary {
  /** Clients that stopped before the end. */
  stoppedWorkers: number;
  /** Latency of every counted operation (ms), for merging runs. */
  samples: Float64Array;
}

/** One result from several runs of the same load (their windows added up). */
export function mergeRuns(runs: readonly ClosedLoopResult[]): ClosedLoopResult {
  const samples = new Float64Array(runs.reduce((sum, run) => sum + run.samples.length, 0));
  let offset = 0;
  for (const run of runs) {
    samples.set(run.samples, offset);
    offset += run.samples.length;
  }
  const errors = runs.reduce((sum, run) => sum + run.errors, 0);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  return { ...summarize(samples, errors, seconds), stoppedWorkers: runs.reduce((sum, run) => sum + run.stoppedWorkers, 0), samples };
}

/**
 * Closed-loop load: `concurrency` clients each send their next request as soon as the
 * previous one answered, for `warmupMs + durationMs`. Only operations that both started
 * and finished inside the measured window are counted (with their latency).
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const samples = new SampleBuffer();
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  let errors = 0;
  let stopped = 0;

  const ticker = setInterval(() => {
    const now = performance.now();
    options.onTick?.({
      phase: now < measureFrom ? "warmup" : "measure",
      elapsedMs: now < measureFrom ? now - start : now - measureFrom,
      ok: samples.length,
      errors,
    });
  }, 500);

  const loop = async (index: number): Promise<void> => {
    const operation = options.worker(index);
    for (;;) {
      const began = performance.now();
      if (began >= end) return;
      let outcome: boolean | "stop";
      try {
        outcome = await operation();
      } catch {
        outcome = false;
      }
      const finished = performance.now();
      const counted = began >= measureFrom && finished <= end;
      if (outcome === true) {
        if (counted) samples.push(finished - began);
      } else {
        if (counted || outcome === "stop") errors++;
        if (outcome === "stop") {
          stopped++;
          return;
        }
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_, index) => loop(index)));
  } finally {
    clearInterval(ticker);
  }
  const counted = samples.values().slice();
  return { ...summarize(counted, errors, options.durationMs / 1000), stoppedWorkers: stopped, samples: counted };
}
