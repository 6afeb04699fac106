import { InProcessRevocationBus, type TokenPolicy } from "@gastown/token-policy";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { StoreKind } from "./provider.js";
import { createMemoryStore, createRedisStore } from "./store/index.js";
import type { OnSessionEnded, SessionStore } from "./store/types.js";

export interface OpenedStore {
  store: SessionStore;
  kind: StoreKind;
  revocationBus?: InProcessRevocationBus;
  /** The Redis client (Redis stores only): the audit trail writes through it too. */
  redis?: Redis;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  redisUrl: string | null;
  prefix: string;
  policy: TokenPolicy;
  revocationBus?: InProcessRevocationBus;
  logger: Logger;
  /** Told of every session the store ends (metrics, audit trail). */
  onEnded?: OnSessionEnded;
}

/**
 * Redis when a URL is configured, else the in-memory store on an in-process revocation
 * bus. A Redis that is down at start does not stop the service: requests that need it
 * fail fast (one retry) as server_error and /readyz answers 503 until it is back.
 */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  if (options.redisUrl === null) {
    const bus = options.revocationBus ?? new InProcessRevocationBus();
    const store = createMemoryStore({ policy: options.policy, bus, onEnded: options.onEnded });
    return { store, kind: "memory", revocationBus: bus, close: () => store.close() };
  }
  // No enableAutoPipelining: measured with the bench (bench/RESULTS.md), it cost 10-18 %
  // of refresh grants/s. ioredis keeps one auto-pipeline in flight at a time, so every
  // grant of the next batch waits for the whole previous batch's scripts; the saved
  // socket writes did not pay for that wait or for the per-batch pipeline objects.
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  let lastError = "";
  redis.on("error", (error: Error) => {
    // ioredis repeats the same error on every reconnect attempt: log changes only.
    if (error.message === lastError) return;
    lastError = error.message;
    options.logger.warn({ err: { message: error.message } }, "redis connection error");
  });
  redis.on("ready", () => {
    lastError = "";
  });
  redis.connect().catch(() => {
    // reported by the "error" listener; ioredis keeps reconnecting
  });
  const store = createRedisStore({ redis, prefix: options.prefix, policy: options.policy, onEnded: options.onEnded });
  return {
    store,
    kind: "redis",
    redis,
    async close() {
      await store.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
