import { type ClosedLoopResult, mergeRuns, runClosedLoop } from "../load/closed-loop.js";
import { connectionPool } from "../load/http.js";
import { RefreshChains } from "../load/refresh-chains.js";
import type { Progress } from "../progress.js";
import type { RefreshTarget } from "../targets/refresh-target.js";
import type { BenchSettings } from "./settings.js";

export interface RefreshFigure {
  target: string;
  concurrency: number;
  result: ClosedLoopResult;
  /**
   * CPU time (user + system) the server process spent per refresh grant over every turn at
   * this concurrency, warm-ups included: what a grant costs the server, whatever else ran
   * on the machine. Undefined when the child cannot tell.
   */
  cpuMicrosPerGrant?: number;
}

/** The server child's CPU time so far (µs), or undefined when it does not answer `cpuUsage`. */
async function cpuMicros(target: RefreshTarget): Promise<number | undefined> {
  try {
    const usage = await target.child.request<NodeJS.CpuUsage>("cpuUsage");
    return usage.user + usage.system;
  } catch {
    return undefined;
  }
}

/** Warm-up of the later turns (connections and JIT are warm by then). */
const TURN_WARMUP_MS = 500;

/** Spare chains per target, taken over by a chain whose grant failed. */
const SPARE_CHAINS = 16;

/**
 * Refresh grants/s and latency of each target at each concurrency, the targets taking
 * turns at each concurrency (so both see the same background load). Every target gets
 * the same number of pre-issued chains; a run at concurrency c uses the first c chains,
 * which carry their current tokens over from the run before.
 */
export async function measureRefreshGrants(targets: readonly RefreshTarget[], settings: BenchSettings, progress: Progress): Promise<RefreshFigure[]> {
  const most = Math.max(...settings.concurrencies);
  const prepared = [];
  for (const target of targets) {
    const tokens = await target.issue(most + SPARE_CHAINS);
    const pool = connectionPool(target.child.url, most);
    prepared.push({ target, pool, chains: new RefreshChains(pool, target.tokenPath, target.clientId, tokens.slice(0, most), tokens.slice(most)) });
  }
  const figures: RefreshFigure[] = [];
  const rounds = Math.max(1, settings.rounds);
  try {
    for (const concurrency of settings.concurrencies) {
      const runs = new Map<string, ClosedLoopResult[]>(prepared.map(({ target }) => [target.name, []]));
      const before = await Promise.all(prepared.map(async ({ target, chains }) => ({ cpu: await cpuMicros(target), grants: chains.rotations })));
      for (let round = 0; round < rounds; round++) {
        for (const { target, chains } of prepared) {
          progress.step(`refresh grants, ${target.name}, ${concurrency} chains${rounds > 1 ? `, turn ${round + 1}/${rounds}` : ""}`);
          const result = await runClosedLoop({
            concurrency,
            durationMs: settings.durationMs / rounds,
            warmupMs: round === 0 ? settings.warmupMs : Math.min(settings.warmupMs, TURN_WARMUP_MS),
            worker: (index) => chains.worker(index),
            onTick: (status) => progress.update(`${status.phase} ${(status.elapsedMs / 1000).toFixed(1)} s, ${status.ok} ok, ${status.errors} errors`),
          });
          progress.done(`${Math.round(result.perSecond)}/s, p99 ${result.p99.toFixed(1)} ms, ${result.errors} errors`);
          runs.get(target.name)?.push(result);
        }
      }
      const after = await Promise.all(prepared.map(async ({ target, chains }) => ({ cpu: await cpuMicros(target), grants: chains.rotations })));
      for (const [index, { target }] of prepared.entries()) {
        const start = before[index];
        const end = after[index];
        const grants = (end?.grants ?? 0) - (start?.grants ?? 0);
        const cpu = start?.cpu !== undefined && end?.cpu !== undefined && grants > 0 ? (end.cpu - start.cpu) / grants : undefined;
        figures.push({ target: target.name, concurrency, result: mergeRuns(runs.get(target.name) ?? []), cpuMicrosPerGrant: cpu });
      }
    }
  } finally {
    await Promise.all(prepared.map(({ pool }) => pool.close()));
  }
  return figures;
}
