import { Redis } from "ioredis";
import { connectionPool } from "../load/http.js";
import { RefreshChains } from "../load/refresh-chains.js";
import { memoryUnderPrefix } from "../redis/memory.js";
import type { RefreshTarget } from "../targets/refresh-target.js";

export interface MemoryFigure {
  target: string;
  sessions: number;
  /** Keys under the target's prefix after the sessions were created (index keys included, streams not). */
  keys: number;
  /** MEMORY USAGE over every key of the target but streams / sessions, right after creation. */
  bytesPerSession: number;
  rotations: number;
  keysAfterRotations: number;
  /** The same after every session rotated `rotations` times. */
  bytesPerSessionAfterRotations: number;
  /** Streams under the prefix (an audit trail, bounded by its own setting), after the rotations. */
  streamKeys: number;
  streamBytes: number;
}

const PARALLEL = 16;

/**
 * Redis memory per live session: `sessions` sessions on a target with a fresh prefix,
 * MEMORY USAGE summed over every key under the prefix (so shared index keys count),
 * divided by the number of sessions; again after each session rotated `rotations` times.
 * Streams (an append-only audit trail bounded by its own entry limit, not session state)
 * are reported apart.
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
      keys: fresh.keys - fresh.streamKeys,
      bytesPerSession: (fresh.bytes - fresh.streamBytes) / sessions,
      rotations,
      keysAfterRotations: rotated.keys - rotated.streamKeys,
      bytesPerSessionAfterRotations: (rotated.bytes - rotated.streamBytes) / sessions,
      streamKeys: rotated.streamKeys,
      streamBytes: rotated.streamBytes,
    };
  } finally {
    await pool.close();
    await redis.quit();
  }
}
