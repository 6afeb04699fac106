import { Redis } from "ioredis";
import { connectionPool } from "../load/http.js";
import { RefreshChains } from "../load/refresh-chains.js";
import { commandCounts, commandDelta } from "../redis/command-stats.js";
import type { RefreshTarget } from "../targets/refresh-target.js";

export interface RoundTripFigure {
  target: string;
  refreshes: number;
  /** Commands Redis ran per refresh grant (INFO commandstats: MULTI, EXEC, queued commands and the commands a Lua script calls each count). */
  commandsPerRefresh: number;
  /** Read events Redis processed per refresh grant (INFO stats `total_reads_processed`): the round trips. */
  roundTripsPerRefresh: number;
  /** Commands per refresh by name, e.g. { evalsha: 1 }. */
  byCommand: Record<string, number>;
}

/** Commands the bench itself sends to take the snapshots. */
const OWN_COMMANDS = new Set(["info"]);

/**
 * Redis work per refresh grant: one chain refreshes `refreshes` times in sequence while
 * nothing else uses this Redis (a private server: on a shared one other clients' commands
 * would be counted), and INFO counters are read before and after.
 */
export async function measureRoundTrips(target: RefreshTarget, redisUrl: string, refreshes: number): Promise<RoundTripFigure> {
  const [token] = await target.issue(1);
  if (!token) throw new Error(`${target.name} issued no refresh token`);
  const pool = connectionPool(target.child.url, 1);
  const redis = new Redis(redisUrl);
  try {
    const chains = new RefreshChains(pool, target.tokenPath, target.clientId, [token]);
    const refresh = chains.worker(0);
    if ((await refresh()) !== true) throw new Error(`${target.name}: first refresh failed`); // warm (scripts loaded, connections open)
    const before = await commandCounts(redis);
    for (let i = 0; i < refreshes; i++) {
      if ((await refresh()) !== true) throw new Error(`${target.name}: refresh ${i} failed`);
    }
    const after = await commandCounts(redis);
    const delta = commandDelta(before, after);
    const byCommand: Record<string, number> = {};
    let commands = 0;
    for (const [name, calls] of Object.entries(delta.calls)) {
      if (OWN_COMMANDS.has(name)) continue;
      byCommand[name] = calls / refreshes;
      commands += calls;
    }
    // The snapshot's own INFO requests are one read each (two before, two after).
    const reads = Math.max(0, delta.reads - 2);
    return { target: target.name, refreshes, commandsPerRefresh: commands / refreshes, roundTripsPerRefresh: reads / refreshes, byCommand };
  } finally {
    await pool.close();
    await redis.quit();
  }
}
