import type { Redis } from "ioredis";

export interface PrefixMemory {
  keys: number;
  bytes: number;
  /** The part of `keys`/`bytes` held in streams (append-only logs such as an audit trail). */
  streamKeys: number;
  streamBytes: number;
}

/** Sum of `MEMORY USAGE` (all samples) over every key under `prefix`, streams also apart. */
export async function memoryUnderPrefix(redis: Redis, prefix: string): Promise<PrefixMemory> {
  let cursor = "0";
  const memory: PrefixMemory = { keys: 0, bytes: 0, streamKeys: 0, streamBytes: 0 };
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.call("MEMORY", "USAGE", key, "SAMPLES", "0").type(key);
    const replies = (await pipeline.exec()) ?? [];
    for (let i = 0; i + 1 < replies.length; i += 2) {
      const [error, usage] = replies[i] as [Error | null, unknown];
      const type = (replies[i + 1] as [Error | null, unknown])[1];
      if (error || usage === null) continue; // expired between SCAN and MEMORY USAGE
      memory.keys++;
      memory.bytes += Number(usage);
      if (type === "stream") {
        memory.streamKeys++;
        memory.streamBytes += Number(usage);
      }
    }
  } while (cursor !== "0");
  return memory;
}
