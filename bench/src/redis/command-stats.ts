import type { Redis } from "ioredis";

/** Calls per command (lower-case name) from `INFO commandstats`, plus the read events Redis processed. */
export interface CommandCounts {
  calls: Record<string, number>;
  /** `total_reads_processed` (INFO stats): read events on client sockets, about one per round trip. */
  readsProcessed: number;
}

export async function commandCounts(redis: Redis): Promise<CommandCounts> {
  const [commandstats, stats] = await Promise.all([redis.info("commandstats"), redis.info("stats")]);
  const calls: Record<string, number> = {};
  for (const line of commandstats.split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls[match[1] as string] = Number(match[2]);
  }
  const reads = /total_reads_processed:(\d+)/.exec(stats);
  return { calls, readsProcessed: reads ? Number(reads[1]) : Number.NaN };
}

/** Commands run between two snapshots (only those that changed). */
export function commandDelta(before: CommandCounts, after: CommandCounts): { calls: Record<string, number>; total: number; reads: number } {
  const calls: Record<string, number> = {};
  let total = 0;
  for (const [name, count] of Object.entries(after.calls)) {
    const delta = count - (before.calls[name] ?? 0);
    if (delta > 0) {
      calls[name] = delta;
      total += delta;
    }
  }
  return { calls, total, reads: after.readsProcessed - before.readsProcessed };
}

/** `redis_version` of the server. */
export async function redisVersion(redis: Redis): Promise<string> {
  const server = await redis.info("server");
  return /redis_version:(\S+)/.exec(server)?.[1] ?? "unknown";
}
