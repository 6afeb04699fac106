import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InProcessRevocationBus, PolicyOverrides, TokenPolicy } from "@gastown/token-policy";
import type { DestinationStream } from "pino";
import { createAuthApp } from "./app.js";
import { type DispatcherClient, loadAuthConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { openStore } from "./store-factory.js";
import type { SessionStore } from "./store/types.js";

export { createAuthApp } from "./app.js";

export interface AuthServiceOptions {
  /** Settings source; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** e.g. `{ accessTokenTtl: 3 }` in tests. */
  policyOverrides?: PolicyOverrides;
  /** Default env.REDIS_URL; unset/null => in-memory store. */
  redisUrl?: string | null;
  /** Default env.REDIS_PREFIX ?? "gt:". */
  prefix?: string;
  /** In-memory mode: share with a worker-api in the same process. */
  revocationBus?: InProcessRevocationBus;
  /** Epoch ms; default Date.now. */
  clock?: () => number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default env.AUTH_PORT ?? 4000; 0 = ephemeral. */
  port?: number;
  /** Default "info"; tests use "silent". */
  logLevel?: string;
  /** Where log lines go (tests capture them); default stdout. */
  logDestination?: DestinationStream;
}

export interface RunningAuthService {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Effective policy; when no AUTH_ISSUER is set, issuer === url. */
  policy: TokenPolicy;
  adminToken: string;
  dispatcherClients: DispatcherClient[];
  containerClientId: string;
  store: SessionStore;
  revocationBus?: InProcessRevocationBus;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** Loads the settings, opens the store, listens; the issuer is the listening URL unless AUTH_ISSUER is set. */
export async function startAuthService(options: AuthServiceOptions = {}): Promise<RunningAuthService> {
  const config = await loadAuthConfig({
    env: options.env,
    policyOverrides: options.policyOverrides,
    redisUrl: options.redisUrl,
    prefix: options.prefix,
    port: options.port,
  });
  const logger = createLogger(options.logLevel ?? "info", options.logDestination);
  if (config.developmentDefaults.length > 0) {
    logger.warn(
      { development_defaults: config.developmentDefaults },
      "DEVELOPMENT MODE - NOT FOR PRODUCTION: using development defaults for the listed settings (in-memory sessions, generated keys and secrets); set them, or NODE_ENV=production refuses to start",
    );
  }

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { "Content-Type": "application/json" }).end('{"error":"temporarily_unavailable"}');
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const url = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}`;
  const policy: TokenPolicy = config.issuerConfigured ? config.policy : Object.freeze({ ...config.policy, issuer: url });

  let opened: Awaited<ReturnType<typeof openStore>>;
  try {
    opened = await openStore({ redisUrl: config.redisUrl, prefix: config.prefix, policy, revocationBus: options.revocationBus, logger });
  } catch (error) {
    server.close();
    throw error;
  }
  const app = createAuthApp({ config, policy, store: opened.store, storeKind: opened.kind, clock: options.clock, logger });
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
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await opened.close();
      })();
      return closing;
    },
  };
}
