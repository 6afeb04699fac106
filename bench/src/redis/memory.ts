import type { Redis } from "ioredis";

export interface PrefixMemory {
  keys: number;
  bytes: number;
}

/** Sum of `MEMORY USAGE` (all samples) over every key under `prefix`. */
export async function memoryUnderPrefix(redis: Redis, prefix: string): Promise<PrefixMemory> {
  let cursor = "0";
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.call("MEMORY", "USAGE", key, "SAMPLES", "0");
    for (const [error, usage] of (await pipeline.exec()) ?? []) {
      if (error || usage === null) continue; // expired between SCAN and MEMORY USAGE
      keys++;
      bytes += Number(usage);
    }
  } while (cursor !== "0");
  return { keys, bytes };
}
