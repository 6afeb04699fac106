import type { IncomingMessage, ServerResponse } from "node:http";
import { createLogger, createServiceRegistry, listen, type RedisSettings, type ServerBounds } from "@gastown/service-kit";
import type { InProcessRevocationBus, PolicyOverrides, TokenPolicy } from "@gastown/token-policy";
import type { DestinationStream } from "pino";
import { createAuthApp } from "./app.js";
import { createMemoryAuditLog } from "./audit/memory-audit.js";
import { createRedisAuditLog } from "./audit/redis-audit.js";
import { onSessionEnded } from "./audit/session-ended.js";
import type { AuditLog } from "./audit/types.js";
import { type AuthConfig, type DispatcherClient, loadAuthConfig } from "./config.js";
import { AuthConfigError } from "./errors.js";
import { KeyRing } from "./keys/key-ring.js";
import { loadSigningKeysFile } from "./keys/signing-keys.js";
import { AuthMetrics } from "./metrics/auth-metrics.js";
import type { SessionStore } from "./store/types.js";
import { openStore } from "./store-factory.js";

export { createAuthApp } from "./app.js";

export interface AuthServiceOptions {
  /** The settings, as main.ts reads them (`loadAuthConfig`); when absent they are read from `env`. */
  config?: AuthConfig;
  /** Settings source when no `config` is given; default none (`{}`). */
  env?: NodeJS.ProcessEnv;
  /** e.g. `{ accessTokenTtl: 3 }` in tests. */
  policyOverrides?: PolicyOverrides;
  /** Default env.REDIS_URL; unset/null => in-memory store. */
  /** Redis in any mode; default from the environment (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS). null: in memory. */
  redis?: RedisSettings | null;
  /** Shorthand for standalone `redis`. */
  redisUrl?: string | null;
  /** Default env.REDIS_PREFIX ?? "gt:". */
  prefix?: string;
  /** In-memory mode: share with a worker-api in the same process. */
  revocationBus?: InProcessRevocationBus;
  /** Epoch ms; default Date.now. */
  clock?: () => number;
  /** Default AUTH_HOST ?? 127.0.0.1. */
  host?: string;
  /** Default AUTH_PORT ?? 4000; 0 = ephemeral. */
  port?: number;
  /** Default LOG_LEVEL ?? "info"; tests use "silent". */
  logLevel?: string;
  /** HTTP server bounds (service-kit's defaults unless given). */
  bounds?: Partial<ServerBounds>;
  /** Where log lines go (tests capture them); default stdout. */
  logDestination?: DestinationStream;
}

export interface RunningAuthService {
  /** http://<host>:<port> */
  url: string;
  /** Effective policy; when no AUTH_ISSUER is set, issuer === url. */
  policy: TokenPolicy;
  adminToken: string;
  dispatcherClients: DispatcherClient[];
  containerClientId: string;
  store: SessionStore;
  revocationBus?: InProcessRevocationBus;
  /** The audit trail (Redis stream `<prefix>audit`, or memory); `flush()` writes what is buffered. */
  audit: AuditLog;
  /**
   * Re-reads AUTH_SIGNING_KEYS_FILE (main.ts calls it on SIGHUP) and swaps the keys for
   * the next request. A file that does not load leaves the keys as they were and rejects
   * (AuthConfigError); so does a service without AUTH_SIGNING_KEYS_FILE.
   */
  reloadSigningKeys(): Promise<{ signingKid: string; kids: string[] }>;
  /** Graceful: stops accepting, lets requests in flight finish (bounded), then closes the store. */
  close(): Promise<void>;
}

/** Loads the settings, opens the store, listens; the issuer is the listening URL unless AUTH_ISSUER is set. */
export async function startAuthService(options: AuthServiceOptions = {}): Promise<RunningAuthService> {
  const config =
    options.config ??
    (await loadAuthConfig({ env: options.env ?? {}, policyOverrides: options.policyOverrides, redis: options.redis, redisUrl: options.redisUrl, prefix: options.prefix, port: options.port, host: options.host }));
  const logger = createLogger({ name: "auth-service", level: options.logLevel ?? config.logLevel, destination: options.logDestination });
  if (config.developmentDefaults.length > 0) {
    logger.warn(
      { development_defaults: config.developmentDefaults },
      "DEVELOPMENT MODE - NOT FOR PRODUCTION: using development defaults for the listed settings (in-memory sessions, generated keys and secrets); without NODE_ENV=development the service refuses to start",
    );
  }

  // Listening first: without AUTH_ISSUER the issuer is the listening URL, which the app needs.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const http = await listen(
    (req, res) => {
      if (handler) return handler(req, res);
      res.writeHead(503, { "Content-Type": "application/json" }).end('{"error":"temporarily_unavailable"}');
    },
    { host: options.host ?? config.host, port: options.port ?? config.port, bounds: options.bounds, tls: config.tls },
  );
  const url = http.url;
  const policy: TokenPolicy = config.issuerConfigured ? config.policy : Object.freeze({ ...config.policy, issuer: url });

  const clock = options.clock ?? Date.now;
  const metrics = new AuthMetrics(createServiceRegistry("auth-service"));
  let audit: AuditLog | undefined;
  let opened: Awaited<ReturnType<typeof openStore>>;
  try {
    opened = await openStore({
      redis: config.redis,
      prefix: config.prefix,
      policy,
      revocationBus: options.revocationBus,
      logger,
      onEnded: onSessionEnded(metrics, () => audit),
      replicaWait: config.replicaWait,
      onReplicaWait: (outcome) => metrics.replicationWaits.inc({ outcome }),
    });
  } catch (error) {
    await http.close();
    throw error;
  }
  const store = opened.store;
  metrics.countLiveWith(() => store.countLive(clock()));
  audit = opened.redis
    ? createRedisAuditLog({
        redis: opened.redis,
        key: `${config.prefix}audit`,
        maxEntries: config.auditMaxEntries,
        clock,
        onDropped(count, error) {
          metrics.auditDropped.inc(count);
          logger.warn({ err: { message: error instanceof Error ? error.message : String(error) }, dropped: count }, "audit entries not written");
        },
      })
    : createMemoryAuditLog({ maxEntries: config.auditMaxEntries, clock });
  const keys = new KeyRing(config.signingKeys);
  const app = createAuthApp({ config, policy, store, storeKind: opened.kind, clock, logger, metrics, audit, signingKeys: keys });
  handler = app.callback();
  logger.info({ url, issuer: policy.issuer, store: opened.kind }, "auth-service listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    policy,
    adminToken: config.adminToken,
    dispatcherClients: config.dispatcherClients.map((client) => ({ ...client })),
    containerClientId: config.containerClientId,
    store: opened.store,
    revocationBus: opened.revocationBus,
    audit,
    async reloadSigningKeys() {
      if (config.signingKeysFile === null) throw new AuthConfigError("AUTH_SIGNING_KEYS_FILE is not set: the keys were generated at start and cannot be reloaded");
      const loaded = await loadSigningKeysFile(config.signingKeysFile);
      keys.replace(loaded);
      const result = { signingKid: loaded.current.kid, kids: loaded.all.map((key) => key.kid) };
      logger.info({ signing_kid: result.signingKid, kids: result.kids }, "signing keys reloaded");
      return result;
    },
    close() {
      closing ??= (async () => {
        await http.close();
        await audit.close();
        await opened.close();
      })();
      return closing;
    },
  };
}
