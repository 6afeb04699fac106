import type { ChainableCommander, Cluster } from "ioredis";
import type { RedisConnection } from "./connect.js";

/** Adds the commands of one operation to a pipeline; every key it names is in one hash slot. */
export type PipelineOp = (pipeline: ChainableCommander) => void;

/** One `[error, reply]` per command an operation added. */
export type OpReplies = [Error | null, unknown][];

/**
 * Runs operations in stages: every stage after the previous one answered, the operations
 * of a stage in any order. On a standalone or Sentinel primary it is one pipeline (one
 * round trip; Redis runs it in order). On a cluster each operation gets its own pipeline
 * (ioredis routes it to its slot's node) and a stage's operations run concurrently, so no
 * command ever spans slots (no CROSSSLOT). Put what must be durable first in an earlier
 * stage (an index entry before the session it indexes, a revocation's reason before its
 * message): an interruption then leaves only entries a later read tidies away.
 */
export async function runStages(redis: RedisConnection, stages: readonly (readonly PipelineOp[])[]): Promise<OpReplies[][]> {
  if (!redis.isCluster) {
    const pipeline = redis.pipeline();
    const counts = stages.map((ops) =>
      ops.map((op) => {
        const before = pipeline.length;
        op(pipeline);
        return pipeline.length - before;
      }),
    );
    const replies = ((await pipeline.exec()) ?? []) as OpReplies;
    let next = 0;
    return counts.map((stage) =>
      stage.map((count) => {
        const start = next;
        next += count;
        return replies.slice(start, next);
      }),
    );
  }
  const out: OpReplies[][] = [];
  for (const ops of stages) {
    out.push(
      await Promise.all(
        ops.map(async (op) => {
          const pipeline = redis.pipeline();
          op(pipeline);
          return ((await pipeline.exec()) ?? []) as OpReplies;
        }),
      ),
    );
  }
  return out;
}

/** The first error among the replies, if any. */
export function firstError(replies: readonly OpReplies[][]): Error | undefined {
  for (const stage of replies) for (const op of stage) for (const [error] of op) if (error) return error;
  return undefined;
}

/** Every primary of a cluster, or the one connection otherwise (SCAN must visit each primary). */
export function primaries(redis: RedisConnection): RedisConnection[] {
  return redis.isCluster ? (redis as Cluster).nodes("master") : [redis];
}
