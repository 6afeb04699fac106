/** How long and how hard each measurement runs (environment overrides for quick runs). */
export interface BenchSettings {
  /** Measured window of each load run. */
  durationMs: number;
  /** Unrecorded warm-up before each load run. */
  warmupMs: number;
  /**
   * Servers compared side by side take turns this many times per figure, each turn
   * measuring durationMs / rounds (ABAB rather than AB, so drifting background load on a
   * shared machine hits both alike).
   */
  rounds: number;
  /** Concurrent refresh chains (and callback clients) per run. */
  concurrencies: number[];
  /** Sessions created for the memory figure. */
  memorySessions: number;
  /** Rotations per session between the two memory readings. */
  memoryRotations: number;
  /** Sequential refresh grants for the round-trip figure. */
  roundTripRefreshes: number;
  /** Time per in-process token check figure. */
  verifyMs: number;
  /** Folder for V8 CPU profiles of the server children, when set. */
  cpuProfileDir?: string;
  /** LOG_LEVEL of the services under test (BENCH_LOG_LEVEL); undefined: unset, the services' default (info). */
  logLevel?: string;
}

/** How RESULTS.md names the log level measured. */
export function logLevelLabel(logLevel: string | undefined): string {
  return logLevel ?? "info (the services' default: LOG_LEVEL unset; the auth-service logs one line per request)";
}

function positive(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

/** Defaults: 10 s per measurement after 2 s of warm-up, 16 and 64 chains. */
export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const concurrencies = (env.BENCH_CONCURRENCY ?? "16,64")
    .split(",")
    .map((part) => Number(part.trim()))
    .filter((value) => Number.isInteger(value) && value > 0);
  return {
    durationMs: positive(env.BENCH_DURATION_S, 10) * 1000,
    warmupMs: positive(env.BENCH_WARMUP_S, 2) * 1000,
    rounds: Math.round(positive(env.BENCH_ROUNDS, 4)),
    concurrencies: concurrencies.length > 0 ? concurrencies : [16, 64],
    memorySessions: positive(env.BENCH_MEMORY_SESSIONS, 500),
    memoryRotations: positive(env.BENCH_MEMORY_ROTATIONS, 5),
    roundTripRefreshes: positive(env.BENCH_ROUND_TRIP_REFRESHES, 300),
    verifyMs: positive(env.BENCH_VERIFY_S, 3) * 1000,
    cpuProfileDir: env.BENCH_CPU_PROF_DIR || undefined,
    logLevel: env.BENCH_LOG_LEVEL?.trim() || undefined,
  };
}
