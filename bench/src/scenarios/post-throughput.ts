import { type ClosedLoopResult, runClosedLoop } from "../load/closed-loop.js";
import { connectionPool, post } from "../load/http.js";
import type { Progress } from "../progress.js";

export interface PostLoad {
  label: string;
  origin: string;
  /** Path, body and headers of client `index`'s requests. */
  request: (index: number) => { path: string; body: string; headers: Record<string, string> };
  /** Statuses that count as success (default 2xx). */
  ok?: (status: number) => boolean;
}

/** Closed-loop POST throughput against one server (each client repeats its request). */
export async function measurePosts(load: PostLoad, concurrency: number, durationMs: number, warmupMs: number, progress: Progress): Promise<ClosedLoopResult> {
  const pool = connectionPool(load.origin, concurrency);
  const ok = load.ok ?? ((status: number) => status >= 200 && status < 300);
  progress.step(`${load.label}, ${concurrency} clients`);
  try {
    const result = await runClosedLoop({
      concurrency,
      durationMs,
      warmupMs,
      worker: (index) => {
        const { path, body, headers } = load.request(index);
        return async () => ok((await post(pool, path, body, headers)).status);
      },
      onTick: (status) => progress.update(`${status.phase} ${(status.elapsedMs / 1000).toFixed(1)} s, ${status.ok} ok, ${status.errors} errors`),
    });
    progress.done(`${Math.round(result.perSecond)}/s, p99 ${result.p99.toFixed(2)} ms, ${result.errors} errors`);
    return result;
  } finally {
    await pool.close();
  }
}
