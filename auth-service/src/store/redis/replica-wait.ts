import { type OpReplies, type PipelineOp, type RedisConnection, RedisNotSafeNowError } from "@gastown/service-kit";
import { StoreError } from "../errors.js";

/**
 * AUTH_REDIS_WAIT_REPLICAS / AUTH_REDIS_WAIT_TIMEOUT_MS: a state change that hands out a
 * refresh token (create, rotate) or ends sessions (revoke) is followed by Redis `WAIT
 * replicas timeoutMs`, so the client is answered only once that many replicas hold the
 * change. Replication is asynchronous: without it a failover can lose a rotation the client
 * was already answered (DESIGN.md Failure semantics: the worker then renews the session),
 * or a revocation (the session lives again). 0 turns it off.
 */
export interface ReplicaWaitSettings {
  replicas: number;
  timeoutMs: number;
}

export const REPLICA_WAIT_OFF: ReplicaWaitSettings = Object.freeze({ replicas: 0, timeoutMs: 100 });

/** `acknowledged`: enough replicas hold the change; `short`: fewer did within the timeout. */
export const REPLICA_WAIT_OUTCOMES = ["acknowledged", "short"] as const;
export type ReplicaWaitOutcome = (typeof REPLICA_WAIT_OUTCOMES)[number];

/** Told of every WAIT the store reads (metrics); must not throw. */
export type OnReplicaWait = (outcome: ReplicaWaitOutcome) => void;

/**
 * The change happened on the primary but fewer replicas than asked acknowledged it: a
 * failover now may lose it. Its cause is service-kit's RedisNotSafeNowError, so it answers
 * as an unavailable store does (503 `temporarily_unavailable`, `Retry-After: 1`; its detail
 * only in the log): the client retries with the same refresh token and gets the
 * grace-window replay of the same successor (DESIGN.md invariant 2), never a fork.
 */
export class ReplicationShortError extends StoreError {
  constructor(message: string) {
    super("ERR_STORE_REPLICATION_SHORT", message, { cause: new RedisNotSafeNowError(message) });
    this.name = "ReplicationShortError";
  }
}

/** The reply of a keyed command that ran with a WAIT after it. */
export interface WaitedReply<T> {
  reply: T;
  /** How many replicas acknowledged everything up to the command. */
  acknowledged: number;
}

export interface ReplicaWait {
  readonly enabled: boolean;
  /** Runs `op` (one keyed command) and a WAIT after it as one pipeline; throws the command's error. */
  run<T>(redis: RedisConnection, op: PipelineOp): Promise<WaitedReply<T>>;
  /**
   * `stages` (service-kit `runStages`) with WAIT added where it covers every write: on a
   * standalone or Sentinel primary they run as one pipeline, so once at the end; on a
   * cluster each op is its own pipeline to its own slot's primary, so after every op.
   * Unchanged when off.
   */
  stages(redis: RedisConnection, stages: readonly (readonly PipelineOp[])[]): PipelineOp[][];
  /** Confirms (as `confirm`) the least WAIT count in the replies of stages made by `stages`. */
  confirmStages(redis: RedisConnection, replies: readonly OpReplies[][], what: string): void;
  /** Counts the outcome; throws ReplicationShortError when fewer than asked acknowledged `what`. */
  confirm(acknowledged: number, what: string): void;
}

/**
 * WAIT takes no key and covers only the writes made on its own connection before it, so
 * it travels in the same pipeline as them: on a standalone or Sentinel primary a pipeline
 * is one connection; on a cluster ioredis sends a whole pipeline to the primary of its
 * keyed commands' slot (Pipeline.exec routes by the commands' first keys; a keyless command
 * goes along), so the WAIT reaches the primary that holds the session. (WAIT cannot run
 * inside a Lua script.)
 */
function withWait(op: PipelineOp, settings: ReplicaWaitSettings): PipelineOp {
  return (pipeline) => {
    op(pipeline);
    pipeline.wait(settings.replicas, settings.timeoutMs);
  };
}

/** The count of the WAIT that ends an op's replies; a failed WAIT (the connection dropped after the write) acknowledged nothing. */
function acknowledgedIn(replies: OpReplies): number {
  const [error, count] = replies[replies.length - 1] ?? [null, 0];
  return error || typeof count !== "number" ? 0 : count;
}

export function replicaWait(settings: ReplicaWaitSettings = REPLICA_WAIT_OFF, onWait?: OnReplicaWait): ReplicaWait {
  const { replicas, timeoutMs } = settings;
  const tell = (outcome: ReplicaWaitOutcome) => {
    try {
      onWait?.(outcome);
    } catch {
      // a metric must not fail a grant
    }
  };
  const wait: ReplicaWait = {
    enabled: replicas > 0,
    async run<T>(redis: RedisConnection, op: PipelineOp): Promise<WaitedReply<T>> {
      const pipeline = redis.pipeline();
      withWait(op, settings)(pipeline);
      const replies = ((await pipeline.exec()) ?? []) as OpReplies;
      const [error, reply] = replies[0] ?? [new StoreError("ERR_STORE_SCRIPT", "no reply"), null];
      if (error) throw error;
      return { reply: reply as T, acknowledged: acknowledgedIn(replies) };
    },
    stages(redis, stages) {
      if (!wait.enabled) return stages.map((ops) => [...ops]);
      if (redis.isCluster) return stages.map((ops) => ops.map((op) => withWait(op, settings)));
      const waited = stages.map((ops) => [...ops]);
      const last = waited.findLast((ops) => ops.length > 0);
      if (last) last.push(withWait(last.pop()!, settings));
      return waited;
    },
    confirmStages(redis, replies, what) {
      if (!wait.enabled) return;
      const ops = replies.flat();
      const waited = redis.isCluster ? ops : ops.slice(-1);
      wait.confirm(Math.min(...waited.map(acknowledgedIn)), what);
    },
    confirm(acknowledged, what) {
      if (acknowledged >= replicas) {
        tell("acknowledged");
        return;
      }
      tell("short");
      throw new ReplicationShortError(`${what}: ${acknowledged} of ${replicas} replica(s) acknowledged within ${timeoutMs} ms; it may be lost in a failover, the client retries`);
    },
  };
  return wait;
}
