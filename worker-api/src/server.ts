import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InProcessRevocationBus, loadPolicy, type PolicyOverrides, type TokenPolicy } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { createWorkerApp } from "./app.js";
import { InProcessRevocationSync } from "./auth/in-process-revocation-sync.js";
import { JwksKeySource } from "./auth/jwks.js";
import { AuthMetadataSource } from "./auth/metadata.js";
import { authenticate } from "./auth/middleware.js";
import { fastRetry, RedisRevocationSync } from "./auth/redis-revocation-sync.js";
import { RevocationList } from "./auth/revocation-list.js";
import { type RevocationSync, revocationsConfirmed } from "./auth/revocation-sync.js";
import { VerifiedTokenCache } from "./auth/verify-cache.js";
import { DEFAULT_PREFIX, WORKER_DEFAULTS } from "./config.js";
import { AuthClient } from "./dispatch/auth-client.js";
import { ContainerControlClient } from "./dispatch/container-client.js";
import { Dispatcher } from "./dispatch/dispatcher.js";
import { createLogger } from "./log.js";
import { WorkerMetrics } from "./metrics/worker-metrics.js";
import { DEFAULT_RECORD_LIMITS, type RecordLimits } from "./records/limits.js";
import { MemoryRecordStore } from "./records/memory.js";
import { RedisRecordStore } from "./records/redis.js";
import type { RecordStore } from "./records/types.js";
import { newInstanceId } from "./state/instance-id.js";
import { MemoryAgentStateStore } from "./state/memory.js";
import { RedisAgentStateStore } from "./state/redis.js";
import type { AgentStateStore } from "./state/types.js";

export interface WorkerApiOptions {
  env?: NodeJS.ProcessEnv;
  port?: number;
  host?: string;
  /** auth-service base URL; metadata (RFC 8414) and JWKS are found from it. */
  authUrl: string;
  /**
   * Refuse metadata whose issuer or endpoints are not https (`workerApiOptions` sets it
   * unless NODE_ENV=development). Default false for programmatic use (tests on loopback).
   */
  requireHttps?: boolean;
  /** Must match the auth-service's; the issuer defaults to AUTH_ISSUER, else `authUrl`. */
  policyOverrides?: PolicyOverrides;
  /** Default env.REDIS_URL; unset/null means in-memory records and the in-process bus. */
  redisUrl?: string | null;
  prefix?: string;
  /** In-memory mode: the auth-service's bus (share it when both run in one process). */
  revocationBus?: InProcessRevocationBus;
  containerUrl: string;
  containerControlToken: string;
  /** The dispatcher client (WORKER_CLIENT_ID / WORKER_CLIENT_SECRET). */
  clientId: string;
  clientSecret: string;
  /** Generated when absent (and not in env.WORKER_OPERATOR_TOKEN). */
  operatorToken?: string;
  reconcileIntervalMs?: number;
  /** Longest delay between the confirmed swap and revoking the superseded session (the policy may shorten it). */
  supersededRevokeDelayMs?: number;
  /** A claim's lease on an agent (WORKER_CLAIM_LEASE_MS). */
  claimLeaseMs?: number;
  /** Longest sleep between two looks at the due set (WORKER_CLAIM_POLL_MS). */
  claimPollMs?: number;
  /** This instance's id in claims and logs; generated when absent. */
  instanceId?: string;
  /** Safety-net resync period of the revoked set (Redis mode). */
  revocationResyncIntervalMs?: number;
  /** What one agent may store (default `DEFAULT_RECORD_LIMITS`). */
  recordLimits?: Partial<RecordLimits>;
  /** Agent tokens get 503 once the revoked set is unconfirmed for longer (fail closed). */
  revocationMaxStalenessMs?: number;
  verifyCacheSize?: number;
  jwksRefetchCooldownMs?: number;
  /** Periodic JWKS refetch (a removed key is refused within this long). */
  jwksRefreshIntervalMs?: number;
  clock?: () => number;
  logLevel?: string;
}

export interface RunningWorkerApi {
  url: string;
  operatorToken: string;
  policy: TokenPolicy;
  dispatcher: Dispatcher;
  /** What the dispatcher knows of its agents (shared by every instance in Redis mode). */
  agentState: AgentStateStore;
  revocations: RevocationList;
  /** Present in Redis mode (tests can force a resync). */
  revocationSync: RevocationSync;
  /** Is the revoked set confirmed complete now (else agent tokens get 503)? */
  revocationsConfirmed: () => boolean;
  verifyCache: VerifiedTokenCache;
  keys: JwksKeySource;
  records: RecordStore;
  /** This instance's Prometheus metrics (also at `GET /metrics`). */
  metrics: WorkerMetrics;
  close(): Promise<void>;
}

function effectivePolicy(options: WorkerApiOptions, env: NodeJS.ProcessEnv): TokenPolicy {
  const issuerFromUrl = !env.AUTH_ISSUER?.trim() && options.policyOverrides?.issuer === undefined;
  const overrides: PolicyOverrides = issuerFromUrl ? { ...options.policyOverrides, issuer: options.authUrl.replace(/\/+$/, "") } : { ...options.policyOverrides };
  return loadPolicy(env, overrides);
}

/** Starts the resource server, the revocation sync and the dispatcher (DESIGN.md worker-api). */
export async function startWorkerApi(options: WorkerApiOptions): Promise<RunningWorkerApi> {
  const env = options.env ?? process.env;
  const now = options.clock ?? Date.now;
  const nowSec = () => Math.floor(now() / 1000);
  const log = createLogger(options.logLevel ?? "info");
  const policy = effectivePolicy(options, env);
  const redisUrl = options.redisUrl === undefined ? env.REDIS_URL?.trim() || null : options.redisUrl;
  const prefix = options.prefix ?? env.REDIS_PREFIX ?? DEFAULT_PREFIX;
  const operatorToken = options.operatorToken ?? (env.WORKER_OPERATOR_TOKEN?.trim() || randomBytes(32).toString("base64url"));

  const metadata = new AuthMetadataSource(options.authUrl, { issuer: policy.issuer, requireHttps: options.requireHttps ?? false });
  const keys = new JwksKeySource({ metadata, refetchCooldownMs: options.jwksRefetchCooldownMs ?? WORKER_DEFAULTS.jwksRefetchCooldownMs, now });
  const verifyCache = new VerifiedTokenCache(options.verifyCacheSize ?? WORKER_DEFAULTS.verifyCacheSize);
  const revocations = new RevocationList(nowSec);

  let redis: Redis | undefined;
  let records: RecordStore;
  const recordLimits: RecordLimits = { ...DEFAULT_RECORD_LIMITS, ...options.recordLimits };
  let agentState: AgentStateStore;
  const instanceId = options.instanceId ?? newInstanceId();
  let revocationSync: RevocationSync;
  if (redisUrl) {
    redis = new Redis(redisUrl, { lazyConnect: true, retryStrategy: fastRetry, connectionName: `${prefix}worker-records` });
    redis.on("error", (error: Error) => log.warn({ err: error.message }, "records: redis error"));
    await redis.connect();
    records = new RedisRecordStore(redis, prefix, recordLimits.maxPerAgent, recordLimits);
    agentState = new RedisAgentStateStore(redis, prefix, instanceId);
    revocationSync = new RedisRevocationSync({
      redisUrl,
      prefix,
      list: revocations,
      nowSec,
      policy,
      resyncIntervalMs: options.revocationResyncIntervalMs ?? WORKER_DEFAULTS.revocationResyncIntervalMs,
      log,
      nowMs: now,
    });
  } else {
    log.warn("REDIS_URL is unset: records in memory, revocations from the in-process bus (development only)");
    records = new MemoryRecordStore(recordLimits.maxPerAgent, recordLimits);
    agentState = new MemoryAgentStateStore(instanceId);
    if (!options.revocationBus) log.warn("no revocation bus given: revocations from the auth-service will not reach this worker");
    revocationSync = new InProcessRevocationSync(options.revocationBus ?? new InProcessRevocationBus(), revocations, nowSec);
  }

  const dispatcher = new Dispatcher({
    auth: new AuthClient(metadata, options.clientId, options.clientSecret),
    container: new ContainerControlClient(options.containerUrl, options.containerControlToken),
    policy,
    now,
    log,
    supersededRevokeDelayMs: options.supersededRevokeDelayMs ?? WORKER_DEFAULTS.supersededRevokeDelayMs,
    reconcileIntervalMs: options.reconcileIntervalMs ?? WORKER_DEFAULTS.reconcileIntervalMs,
    store: agentState,
    instanceId,
    claimLeaseMs: options.claimLeaseMs ?? WORKER_DEFAULTS.claimLeaseMs,
    claimPollMs: options.claimPollMs ?? WORKER_DEFAULTS.claimPollMs,
    revocationReason: (sessionId) => revocationSync.reasonOf(sessionId),
  });
  revocations.onEvent((event) => dispatcher.onRevocation(event));
  // A revocation of one of the dispatcher's sessions learnt by resync gets its reason read.
  revocations.wantReasonsFor((sid) => dispatcher.holdsSession(sid));
  const metrics = new WorkerMetrics({ cache: verifyCache, revocations, revocationSync: () => revocationSync, now });
  revocations.onNew((via) => metrics.revocationApplied(via));
  revocations.onRefused((problem) => metrics.revocationRefused(problem));
  await revocationSync.start();
  keys.onKeySet((kids) => verifyCache.retainKids(kids));
  keys.refresh().catch((error: Error) => log.warn({ err: error.message }, "JWKS not fetched yet; retried on first use"));
  keys.startRefreshing(options.jwksRefreshIntervalMs ?? WORKER_DEFAULTS.jwksRefreshIntervalMs, (error) => log.warn({ err: error.message }, "JWKS refetch failed; keeping the keys held"));

  // Authentication is always on here: no option or setting reaches this choice.
  const maxStalenessMs = options.revocationMaxStalenessMs ?? WORKER_DEFAULTS.revocationMaxStalenessMs;
  const confirmed = () => revocationsConfirmed(revocationSync, now(), maxStalenessMs);
  const authenticator = authenticate({ policy, keys, cache: verifyCache, revocations, revocationsConfirmed: confirmed, now, log, metrics });
  const app = createWorkerApp({ authenticator, records, now, log, operatorToken, dispatcher, metrics, keys, redis, revocationsConfirmed: confirmed, maxRecordBytes: recordLimits.maxRecordBytes });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve(listening));
    listening.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host ?? "127.0.0.1"}:${address.port}`;
  log.info({ url, issuer: policy.issuer, redis: redisUrl ? "on" : "off" }, "worker-api listening");

  return {
    url,
    operatorToken,
    policy,
    dispatcher,
    agentState,
    revocations,
    revocationSync,
    revocationsConfirmed: confirmed,
    verifyCache,
    keys,
    records,
    metrics,
    /**
     * SIGTERM drain (DESIGN.md "worker-api state"): stops listening and claiming at once,
     * lets requests in flight and the agents this instance holds finish (their claims are
     * released with their next due times), then closes its connections.
     */
    async close() {
      const drained = dispatcher.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), WORKER_DEFAULTS.drainTimeoutMs);
        // Keep-alive connections go as soon as their request in flight has its answer.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(idle);
          resolve();
        });
        server.closeIdleConnections();
      });
      keys.close();
      await drained;
      await revocationSync.close();
      await records.close();
      redis?.disconnect();
    },
  };
}
