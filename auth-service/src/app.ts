import { createLogger, createServiceRegistry, errorMiddleware } from "@gastown/service-kit";
import type { TokenPolicy } from "@gastown/token-policy";
import { Router } from "@koa/router";
import Koa from "koa";
import type { Logger } from "pino";
import { getAudit } from "./admin/audit.js";
import { requireAdmin } from "./admin/authenticate.js";
import { postRevocations } from "./admin/revocations.js";
import { deleteSession, listSessions, readSession } from "./admin/sessions.js";
import { createMemoryAuditLog } from "./audit/memory-audit.js";
import type { AuditLog } from "./audit/types.js";
import type { AuthConfig } from "./config.js";
import { healthzEndpoint, readyzEndpoint } from "./endpoints/healthz.js";
import { INTROSPECTION_PATH, introspectionEndpoint } from "./endpoints/introspect.js";
import { JWKS_PATH, jwksEndpoint } from "./endpoints/jwks.js";
import { METADATA_PATH, metadataEndpoint } from "./endpoints/metadata.js";
import { metricsEndpoint } from "./endpoints/metrics.js";
import { REVOCATION_PATH, revocationEndpoint } from "./endpoints/revoke.js";
import { tokenRoute } from "./endpoints/token.js";
import { ClientRegistry } from "./http/oauth-request.js";
import { requestLog } from "./http/request-log.js";
import type { AuthState } from "./http/state.js";
import type { SigningKeys } from "./keys/signing-keys.js";
import { AuthMetrics } from "./metrics/auth-metrics.js";
import type { Provider, StoreKind } from "./provider.js";
import type { SessionStore } from "./store/types.js";
import { AccessTokenStrategy, RefreshTokenStrategy } from "./tokens/token-strategies.js";

export interface AuthAppDeps {
  config: AuthConfig;
  /** The effective policy (issuer may be the listening URL); default `config.policy`. */
  policy?: TokenPolicy;
  store: SessionStore;
  storeKind: StoreKind;
  /** Epoch milliseconds; default Date.now. */
  clock?: () => number;
  logger?: Logger;
  /** The keys in use (a KeyRing when they can be reloaded); default `config.signingKeys`. */
  signingKeys?: SigningKeys;
  /** This instance's metrics; default fresh ones on their own registry. */
  metrics?: AuthMetrics;
  /** Where audit entries go; default an in-memory trail of `config.auditMaxEntries`. */
  audit?: AuditLog;
}

/** Wires the real collaborators into one Provider (the composition point). */
export function createProvider(deps: AuthAppDeps): Provider {
  const policy = deps.policy ?? deps.config.policy;
  const clock = deps.clock ?? Date.now;
  const signingKeys = deps.signingKeys ?? deps.config.signingKeys;
  return {
    policy,
    store: deps.store,
    storeKind: deps.storeKind,
    clock,
    logger: deps.logger ?? createLogger({ name: "auth-service" }),
    clients: new ClientRegistry(deps.config.dispatcherClients, deps.config.containerClientId),
    signingKeys,
    refreshTokens: new RefreshTokenStrategy(deps.config.tokenSecrets),
    accessTokens: new AccessTokenStrategy(signingKeys, policy),
    adminToken: deps.config.adminToken,
    metrics: deps.metrics ?? new AuthMetrics(createServiceRegistry("auth-service")),
    audit: deps.audit ?? createMemoryAuditLog({ maxEntries: deps.config.auditMaxEntries, clock }),
  };
}

/** The auth-service as a Koa app (give `app.callback()` to an HTTP server or supertest). */
export function createAuthApp(deps: AuthAppDeps): Koa<AuthState> {
  const provider = createProvider(deps);
  const app = new Koa<AuthState>();
  const router = new Router<AuthState>();
  const admin = requireAdmin(provider.adminToken);

  router.get(METADATA_PATH, metadataEndpoint);
  router.get(JWKS_PATH, jwksEndpoint);
  router.post(REVOCATION_PATH, ...revocationEndpoint);
  router.post(INTROSPECTION_PATH, ...introspectionEndpoint);
  router.get("/healthz", healthzEndpoint);
  router.get("/readyz", readyzEndpoint);
  router.get("/metrics", metricsEndpoint);
  router.get("/admin/sessions", ...admin, listSessions);
  router.get("/admin/sessions/:sessionId", ...admin, readSession);
  router.delete("/admin/sessions/:sessionId", ...admin, deleteSession);
  router.post("/admin/revocations", ...admin, postRevocations);
  router.get("/admin/audit", ...admin, getAudit);

  // Errors that escape the middleware (sockets torn down mid-response): log the message only.
  app.silent = true;
  app.on("error", (error: Error) => provider.logger.warn({ err: { name: error.name, message: error.message } }, "http error"));
  app.use((ctx, next) => {
    ctx.state.provider = provider;
    return next();
  });
  app.use(requestLog);
  // service-kit's one error-to-HTTP rule (as in every service): exposed errors (the OAuth
  // errors, RFC 6749 §5.2, the kit's body errors) answer their status, headers (the
  // invalid_client Basic challenge) and description; anything else a bare server_error 500,
  // its detail logged. Unrouted requests keep Koa's own 404.
  app.use(errorMiddleware({ log: (ctx) => (ctx.state as AuthState).provider.logger, notFoundBody: false }));
  // POST /oauth2/token (and its 405/OPTIONS answers) before the router: the hot path.
  app.use(tokenRoute);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
