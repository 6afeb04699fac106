import { randomBytes } from "node:crypto";
import { chooseRedis, createLogger, createRedisConnection, describeRedis, listen, type RedisConnection, type RedisSettings, type ServerBounds, type TlsFiles } from "@gastown/service-kit";
import { InProcessRevocationBus, loadPolicy, type PolicyOverrides, type TokenPolicy } from "@gastown/token-policy";
import { createWorkerApp } from "./app.js";
import { InProcessRevocationSync } from "./auth/in-process-revocation-sync.js";
import { JwksKeySource } from "./auth/jwks.js";
import { AuthMetadataSource } from "./auth/metadata.js";
import { authenticate } from "./auth/middleware.js";
import { RedisRevocationSync } from "./auth/redis-revocation-sync.js";
import { RevocationList } from "./auth/revocation-list.js";
import { type RevocationSync, revocationsConfirmed } from "./auth/revocation-sync.js";
import { VerifiedTokenCache } from "./auth/verify-cache.js";
import { DEFAULT_CLAIM_LEASE_MS, DEFAULT_CLAIM_POLL_MS, DEFAULT_PREFIX, DEFAULT_REVOCATION_MAX_STALENESS_MS } from "./config.js";
import { AuthClient } from "./dispatch/auth-client.js";
import { ContainerControlClient } from "./dispatch/container-client.js";
import { Dispatcher } from "./dispatch/dispatcher.js";
import { WorkerMetrics } from "./metrics/worker-metrics.js";
import { DEFAULT_RECORD_LIMITS, type RecordLimits } from "./records/limits.js";
import { MemoryRecordStore } from "./records/memory.js";
import { RedisRecordStore } from "./records/redis.js";
import type { RecordStore } from "./records/types.js";
import { newInstanceId } from "./state/instance-id.js";
import { MemoryAgentStateStore } from "./state/memory.js";
import { RedisAgentStateStore } from "./state/redis.js";
import type { AgentStateStore } from "./state/types.js";

/** Tuning that is not a token lifetime (those come from the policy): the defaults of the options below. */
export const WORKER_TUNING = {
  /** Reconcile timer: how often every running agent's session health is checked. */
  reconcileIntervalMs: 30_000,
  /**
   * Superseded sessions are revoked at most this long after the container confirmed the swap
   * (calls in flight), and always before the old session's own end (dispatch/due.ts).
   */
  supersededRevokeDelayMs: 5_000,
  /** WORKER_CLAIM_LEASE_MS's default (config.ts says why). */
  claimLeaseMs: DEFAULT_CLAIM_LEASE_MS,
  /** WORKER_CLAIM_POLL_MS's default. */
  claimPollMs: DEFAULT_CLAIM_POLL_MS,
  /** Safety-net resync of the revoked set, so a missed pub/sub message still lands within 1 s. */
  revocationResyncIntervalMs: 500,
  /** WORKER_REVOCATION_MAX_STALENESS's default. */
  revocationMaxStalenessMs: DEFAULT_REVOCATION_MAX_STALENESS_MS,
  /** Verified-token cache size (entries). */
  verifyCacheSize: 10_000,
  /** An unknown kid refetches the JWKS at most this often. */
  jwksRefetchCooldownMs: 1_000,
  /**
   * The JWKS is also refetched this often: a key removed from it (after a compromise) is
   * refused, and tokens it verified leave the cache, within this bound. Recommended: 60 s.
   */
  jwksRefreshIntervalMs: 60_000,
} as const;

/**
 * What `startWorkerApi` runs with: `main.ts` passes `loadWorkerSettings(process.env)`
 * (config.ts); tests and the local stack pass their own. Nothing here reads the environment.
 */
export interface WorkerApiOptions {
  /** Token policy settings (GASTOWN_*, AUTH_AUDIENCE, AUTH_ISSUER) when no `policy` is given; default none. */
  env?: NodeJS.ProcessEnv;
  /** The token policy (config.ts computes it); else read from `env` and `policyOverrides`. */
  policy?: TokenPolicy;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** WORKER_TLS_CERT_FILE / WORKER_TLS_KEY_FILE: answer HTTPS; plain HTTP when absent. */
  tls?: TlsFiles;
  /** auth-service base URL; metadata (RFC 8414) and JWKS are found from it. */
  authUrl: string;
  /**
   * Refuse metadata whose issuer or endpoints are not https (config.ts sets it unless
   * NODE_ENV=development). Default false for programmatic use (tests on loopback).
   */
  requireHttps?: boolean;
  /** Must match the auth-service's; the issuer defaults to AUTH_ISSUER, else `authUrl`. */
  policyOverrides?: PolicyOverrides;
  /** Unset/null means in-memory records and the in-process bus. */
  /** Redis in any mode; unset/null means in-memory records and the in-process bus. */
  redis?: RedisSettings | null;
  /** Shorthand for standalone `redis`. */
  redisUrl?: string | null;
  /** Default `gt:`. */
  prefix?: string;
  /** In-memory mode: the auth-service's bus (share it when both run in one process). */
  revocationBus?: InProcessRevocationBus;
  containerUrl: string;
  containerControlToken: string;
  /** The dispatcher client (WORKER_CLIENT_ID / WORKER_CLIENT_SECRET). */
  clientId: string;
  clientSecret: string;
  /** Generated when absent. */
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
  /** Default info. */
  logLevel?: string;
  /** HTTP server bounds (service-kit's defaults unless given; `closeGraceMs` bounds the SIGTERM drain). */
  bounds?: Partial<ServerBounds>;
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
  if (options.policy) return options.policy;
  const issuerFromUrl = !env.AUTH_ISSUER?.trim() && options.policyOverrides?.issuer === undefined;
  const overrides: PolicyOverrides = issuerFromUrl ? { ...options.policyOverrides, issuer: options.authUrl.replace(/\/+$/, "") } : { ...options.policyOverrides };
  return loadPolicy(env, overrides);
}

/** Starts the resource server, the revocation sync and the dispatcher (DESIGN.md worker-api). */
export async function startWorkerApi(options: WorkerApiOptions): Promise<RunningWorkerApi> {
  const now = options.clock ?? Date.now;
  const nowSec = () => Math.floor(now() / 1000);
  const log = createLogger({ name: "worker-api", level: options.logLevel ?? "info" });
  const policy = effectivePolicy(options, options.env ?? {});
  // No environment here: the settings come through `options` (config.ts read them).
  const redisSettings = chooseRedis(options, {});
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const operatorToken = options.operatorToken ?? randomBytes(32).toString("base64url");

  const metadata = new AuthMetadataSource(options.authUrl, { issuer: policy.issuer, requireHttps: options.requireHttps ?? false });
  const keys = new JwksKeySource({ metadata, refetchCooldownMs: options.jwksRefetchCooldownMs ?? WORKER_TUNING.jwksRefetchCooldownMs, now });
  const verifyCache = new VerifiedTokenCache(options.verifyCacheSize ?? WORKER_TUNING.verifyCacheSize);
  const revocations = new RevocationList(nowSec);

  let redis: RedisConnection | undefined;
  let records: RecordStore;
  const recordLimits: RecordLimits = { ...DEFAULT_RECORD_LIMITS, ...options.recordLimits };
  let agentState: AgentStateStore;
  const instanceId = options.instanceId ?? newInstanceId();
  let revocationSync: RevocationSync;
  if (redisSettings) {
    redis = createRedisConnection(redisSettings, { name: `${prefix}worker-records`, maxRetriesPerRequest: 20 });
    redis.on("error", (error: Error) => log.warn({ err: error.message }, "records: redis error"));
    await redis.connect();
    records = new RedisRecordStore(redis, prefix, recordLimits.maxPerAgent, recordLimits);
    agentState = new RedisAgentStateStore(redis, prefix, instanceId);
    revocationSync = new RedisRevocationSync({
      redis: redisSettings,
      prefix,
      list: revocations,
      nowSec,
      policy,
      resyncIntervalMs: options.revocationResyncIntervalMs ?? WORKER_TUNING.revocationResyncIntervalMs,
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
    supersededRevokeDelayMs: options.supersededRevokeDelayMs ?? WORKER_TUNING.supersededRevokeDelayMs,
    reconcileIntervalMs: options.reconcileIntervalMs ?? WORKER_TUNING.reconcileIntervalMs,
    store: agentState,
    instanceId,
    claimLeaseMs: options.claimLeaseMs ?? WORKER_TUNING.claimLeaseMs,
    claimPollMs: options.claimPollMs ?? WORKER_TUNING.claimPollMs,
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
  keys.startRefreshing(options.jwksRefreshIntervalMs ?? WORKER_TUNING.jwksRefreshIntervalMs, (error) => log.warn({ err: error.message }, "JWKS refetch failed; keeping the keys held"));

  // Authentication is always on here: no option or setting reaches this choice.
  const maxStalenessMs = options.revocationMaxStalenessMs ?? WORKER_TUNING.revocationMaxStalenessMs;
  const confirmed = () => revocationsConfirmed(revocationSync, now(), maxStalenessMs);
  const authenticator = authenticate({ policy, keys, cache: verifyCache, revocations, revocationsConfirmed: confirmed, now, log, metrics });
  const app = createWorkerApp({ authenticator, records, now, log, operatorToken, dispatcher, metrics, keys, redis, revocationsConfirmed: confirmed, maxRecordBytes: recordLimits.maxRecordBytes });

  const http = await listen(app.callback(), { host: options.host ?? "127.0.0.1", port: options.port ?? 0, bounds: options.bounds, tls: options.tls });
  const url = http.url;
  log.info({ url, issuer: policy.issuer, redis: redisSettings ? describeRedis(redisSettings) : "off" }, "worker-api listening");

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
      // service-kit's graceful close: requests in flight finish (bounded by closeGraceMs), idle keep-alive connections go.
      await http.close();
      keys.close();
      await drained;
      await revocationSync.close();
      await records.close();
      redis?.disconnect();
    },
  };
}
