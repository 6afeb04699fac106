import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { RedisSettings } from "./settings.js";

/** A connection in any of the three modes. Both classes take the same commands and scripts. */
export type RedisConnection = Redis | Cluster;

export interface RedisConnectionOptions {
  /** CLIENT SETNAME on every connection (e.g. `gt:auth-store`): who is who in CLIENT LIST. */
  name: string;
  /**
   * Attempts per command across reconnects before it fails (ioredis
   * `maxRetriesPerRequest`); `null` queues until Redis is back. Default 1: fail fast and
   * let the caller's retry (the supervisor's backoff, the resync timer) take over.
   */
  maxRetriesPerRequest?: number | null;
  /** Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Delay before reconnect attempt `n` (ms). Default `fastReconnect`. */
  reconnectDelayMs?: (attempt: number) => number;
  /** Connect on the first command or `connect()` (default true), so a Redis that is down does not stop a start. */
  lazyConnect?: boolean;
}

/**
 * Reconnect quickly (50 ms steps, at most 250 ms): revocations must land within a second
 * after Redis or a failed-over primary answers again.
 */
export function fastReconnect(attempt: number): number {
  return Math.min(attempt * 50, 250);
}

/**
 * A primary that became a replica (Sentinel or a managed failover behind one address)
 * answers writes with READONLY: reconnect (Sentinel then asks for the new primary) and
 * resend the command (2).
 */
function reconnectOnReadOnly(error: Error): 2 | false {
  return error.message.startsWith("READONLY") ? 2 : false;
}

function nodeOptions(settings: RedisSettings, options: RedisConnectionOptions): RedisOptions {
  const { username, password, tls } = settings.auth;
  return {
    username,
    password,
    tls: tls ? {} : undefined,
    connectionName: options.name,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 1 : options.maxRetriesPerRequest,
    reconnectOnError: reconnectOnReadOnly,
    // Measured with the bench (bench/RESULTS.md): auto-pipelining cost 10-18 % of refresh
    // grants/s (one auto-pipeline in flight at a time), so it stays off everywhere.
    enableAutoPipelining: false,
  };
}

/**
 * The one Redis connection factory of every service: a standalone `Redis` for
 * `REDIS_URL` (its database index honoured), an ioredis `Cluster` for
 * `REDIS_CLUSTER_NODES` (MOVED/ASK followed, slots refreshed after a failover), a
 * Sentinel-managed `Redis` for `REDIS_SENTINELS` (asks the sentinels for the primary,
 * follows `+switch-master`). Each reconnects by itself after a failover.
 */
export function createRedisConnection(settings: RedisSettings, options: RedisConnectionOptions): RedisConnection {
  const base = nodeOptions(settings, options);
  const reconnect = options.reconnectDelayMs ?? fastReconnect;
  const lazyConnect = options.lazyConnect ?? true;
  switch (settings.mode) {
    case "standalone":
      // URL values win; REDIS_USERNAME/REDIS_PASSWORD fill in what the URL leaves out.
      return new Redis(settings.url, { ...base, tls: undefined, retryStrategy: reconnect, lazyConnect });
    case "cluster": {
      const { maxRetriesPerRequest, ...redisOptions } = base;
      return new Cluster(settings.nodes, {
        redisOptions: { ...redisOptions, maxRetriesPerRequest },
        lazyConnect,
        enableReadyCheck: true,
        // Writes and the reads that follow them go to primaries: a replica may lag a rotation.
        scaleReads: "master",
        clusterRetryStrategy: reconnect,
        // A command whose node died is retried this often, up to maxRedirections times
        // (~20 s): enough for the replica to take over (cluster-node-timeout, 15 s by
        // default, plus the election), so a killed primary costs callbacks a delay, not a
        // 500. The HTTP request timeout (30 s) still bounds the wait.
        retryDelayOnFailover: 500,
        maxRedirections: 40,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        slotsRefreshTimeout: options.connectTimeoutMs ?? 2000,
        slotsRefreshInterval: 2000,
      });
    }
    case "sentinel":
      return new Redis({
        ...base,
        sentinels: settings.sentinels,
        name: settings.masterName,
        role: "master",
        enableTLSForSentinelMode: settings.auth.tls,
        // Subscribes to the sentinels' +switch-master: reconnects as soon as a failover is announced.
        failoverDetector: true,
        sentinelRetryStrategy: reconnect,
        // The failover detector's own sentinel connections (ioredis default: 60 s).
        sentinelReconnectStrategy: reconnect,
        retryStrategy: reconnect,
        lazyConnect,
      });
  }
}

/**
 * A connection for SUBSCRIBE in the same mode: commands wait for a reconnect instead of
 * failing, and ioredis re-subscribes by itself after every reconnect (on a cluster it
 * picks another node when its node leaves). Classic PUBLISH reaches every node of a
 * cluster, so one subscription anywhere hears every revocation.
 */
export function createRedisSubscriber(settings: RedisSettings, options: RedisConnectionOptions): RedisConnection {
  return createRedisConnection(settings, { ...options, maxRetriesPerRequest: options.maxRetriesPerRequest ?? null });
}

/** Opens a lazy connection now (errors are left to its "error" listener; ioredis keeps reconnecting). */
export function connectInBackground(redis: RedisConnection): void {
  redis.connect().catch(() => {});
}

/**
 * Closes politely (QUIT, pending replies arrive), then disconnects: on Sentinel, QUIT
 * alone leaves the failover detector's sentinel connections open (ioredis 6), and they
 * would reconnect forever.
 */
export async function closeRedis(redis: RedisConnection): Promise<void> {
  await redis.quit().catch(() => {});
  redis.disconnect();
}
