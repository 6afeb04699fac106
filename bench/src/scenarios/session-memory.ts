import { Redis } from "ioredis";
import { connectionPool } from "../load/http.js";
import { RefreshChains } from "../load/refresh-chains.js";
import { memoryUnderPrefix } from "../redis/memory.js";
import type { RefreshTarget } from "../targets/refresh-target.js";

export interface MemoryFigure {
  target: string;
  sessions: number;
  /** Keys under the target's prefix after the sessions were created (index keys included). */
  keys: number;
  /** MEMORY USAGE over every key of the target / sessions, right after creation. */
  bytesPerSession: number;
  rotations: number;
  keysAfterRotations: number;
  /** The same after every session rotated `rotations` times. */
  bytesPerSessionAfterRotations: number;
}

const PARALLEL = 16;

/**
 * Redis memory per live session: `sessions` sessions on a target with a fresh prefix,
 * MEMORY USAGE summed over every key under the prefix (so shared index keys count),
 * divided by the number of sessions; again after each session rotated `rotations` times.
 */
export async function measureSessionMemory(target: RefreshTarget, redisUrl: string, sessions: number, rotations: number): Promise<MemoryFigure> {
  const tokens = await target.issue(sessions);
  const redis = new Redis(redisUrl);
  const pool = connectionPool(target.child.url, PARALLEL);
  try {
    const fresh = await memoryUnderPrefix(redis, target.prefix);
    const chains = new RefreshChains(pool, target.tokenPath, target.clientId, tokens);
    const workers = tokens.map((_, index) => chains.worker(index));
    for (let round = 0; round < rotations; round++) {
      let next = 0;
      const lane = async () => {
        while (next < workers.length) {
          const worker = workers[next++] as () => Promise<boolean | "stop">;
          if ((await worker()) !== true) throw new Error(`${target.name}: a rotation failed`);
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, lane));
    }
    const rotated = await memoryUnderPrefix(redis, target.prefix);
    return {
      target: target.name,
      sessions,
      keys: fresh.keys,
      bytesPerSession: fresh.bytes / sessions,
      rotations,
      keysAfterRotations: rotated.keys,
      bytesPerSessionAfterRotations: rotated.bytes / sessions,
    };
  } finally {
    await pool.close();
    await redis.quit();
  }
}
