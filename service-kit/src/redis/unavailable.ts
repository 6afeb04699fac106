import { ReplyError } from "ioredis";

/** ioredis's own failures when no usable connection is there (its error classes and messages). */
const CLIENT_FAILURE_NAMES = new Set(["MaxRetriesPerRequestError", "ClusterAllFailedError"]);
const CLIENT_FAILURE_MESSAGES = ["Connection is closed.", "Stream isn't writeable", "None of startup nodes is available", "connect ETIMEDOUT"];

/**
 * Replies of a Redis that is there but cannot serve now: loading its data set, a cluster
 * without a quorum or with a moving slot, a replica where a primary was, a Sentinel-managed
 * replica that lost its primary, too few replicas for `min-replicas-to-write` (NOREPLICAS),
 * the memory limit reached (`noeviction`), a busy script.
 */
const TRANSIENT_REPLY_PREFIXES = ["LOADING", "CLUSTERDOWN", "TRYAGAIN", "READONLY", "MASTERDOWN", "NOREPLICAS", "OOM", "BUSY"];

/**
 * What a store throws (or puts in `cause`) when it finds by itself that Redis cannot serve a
 * request safely now, as Redis's own NOREPLICAS would say: e.g. a write that fewer replicas
 * than asked acknowledged (WAIT). Answered like an unavailable Redis: 503, retry soon.
 */
export class RedisNotSafeNowError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RedisNotSafeNowError";
  }
}

/**
 * True when `error`, or an error it was caused by (a store wraps what Redis answered),
 * means the Redis behind a store cannot be used right now, as opposed to a bug (a script
 * error, a wrong type). Such an error answers 503 with `Retry-After` (`errorAnswer`), so a
 * client retries instead of reading a server fault.
 */
export function isRedisUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    if (isUnavailableItself(cause)) return true;
  }
  return false;
}

function isUnavailableItself(error: Error): boolean {
  if (error instanceof RedisNotSafeNowError) return true;
  if (error instanceof ReplyError) return TRANSIENT_REPLY_PREFIXES.some((prefix) => error.message.startsWith(prefix));
  if (CLIENT_FAILURE_NAMES.has(error.name)) return true;
  return CLIENT_FAILURE_MESSAGES.some((message) => error.message.startsWith(message));
}
