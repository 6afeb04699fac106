import { closeRedis, connectInBackground, createRedisConnection, describeRedis, type RedisConnection, type RedisSettings } from "@gastown/service-kit";
import { InProcessRevocationBus, type TokenPolicy } from "@gastown/token-policy";
import type { Logger } from "pino";
import type { StoreKind } from "./provider.js";
import { createMemoryStore, createRedisStore } from "./store/index.js";
import { type OnReplicaWait, REPLICA_WAIT_OFF, type ReplicaWaitSettings, replicaWait } from "./store/redis/replica-wait.js";
import type { OnSessionEnded, SessionStore } from "./store/types.js";

export interface OpenedStore {
  store: SessionStore;
  kind: StoreKind;
  revocationBus?: InProcessRevocationBus;
  /** The Redis connection (Redis stores only): the audit trail writes through it too. */
  redis?: RedisConnection;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Redis in any of the three modes (service-kit); null: the in-memory store. */
  redis: RedisSettings | null;
  prefix: string;
  policy: TokenPolicy;
  revocationBus?: InProcessRevocationBus;
  logger: Logger;
  /** Told of every session the store ends (metrics, audit trail). */
  onEnded?: OnSessionEnded;
  /** AUTH_REDIS_WAIT_REPLICAS / _TIMEOUT_MS (Redis stores only); default off. */
  replicaWait?: ReplicaWaitSettings;
  /** Told of every WAIT's outcome (the metric). */
  onReplicaWait?: OnReplicaWait;
}

/**
 * Redis when configured (any mode), else the in-memory store on an in-process revocation
 * bus. A Redis that is down at start does not stop the service: requests that need it
 * fail fast (one retry) as server_error and /readyz answers 503 until it is back.
 */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  if (options.redis === null) {
    const bus = options.revocationBus ?? new InProcessRevocationBus();
    const store = createMemoryStore({ policy: options.policy, bus, onEnded: options.onEnded });
    return { store, kind: "memory", revocationBus: bus, close: () => store.close() };
  }
  // The kit's factory: standalone, Cluster or Sentinel, reconnecting after a failover;
  // commands fail fast (one retry) so the caller answers server_error and the client retries.
  const settings = options.redis;
  const redis = createRedisConnection(settings, { name: `${options.prefix}auth-store`, maxRetriesPerRequest: 1, connectTimeoutMs: 2000 });
  let lastError = "";
  redis.on("error", (error: Error) => {
    // ioredis repeats the same error on every reconnect attempt: log changes only.
    if (error.message === lastError) return;
    lastError = error.message;
    options.logger.warn({ err: { message: error.message }, redis: describeRedis(settings) }, "redis connection error");
  });
  redis.on("ready", () => {
    lastError = "";
  });
  connectInBackground(redis);
  const waitSettings = options.replicaWait ?? REPLICA_WAIT_OFF;
  if (waitSettings.replicas > 0) options.logger.info({ replicas: waitSettings.replicas, timeout_ms: waitSettings.timeoutMs }, "every dispatch and rotation waits for Redis replicas (AUTH_REDIS_WAIT_REPLICAS)");
  const store = createRedisStore({ redis, prefix: options.prefix, policy: options.policy, onEnded: options.onEnded, replicaWait: replicaWait(waitSettings, options.onReplicaWait) });
  return {
    store,
    kind: "redis",
    redis,
    async close() {
      await store.close();
      await closeRedis(redis);
    },
  };
}
