import { Router } from "@koa/router";
import type { TokenPolicy } from "@gastown/token-policy";
import Koa from "koa";
import type { Logger } from "pino";
import { requireAdmin } from "./admin/authenticate.js";
import { postRevocations } from "./admin/revocations.js";
import { deleteSession, listSessions, readSession } from "./admin/sessions.js";
import type { AuthConfig } from "./config.js";
import { healthzEndpoint } from "./endpoints/healthz.js";
import { INTROSPECTION_PATH, introspectionEndpoint } from "./endpoints/introspect.js";
import { JWKS_PATH, jwksEndpoint } from "./endpoints/jwks.js";
import { METADATA_PATH, metadataEndpoint } from "./endpoints/metadata.js";
import { REVOCATION_PATH, revocationEndpoint } from "./endpoints/revoke.js";
import { TOKEN_PATH, tokenEndpoint } from "./endpoints/token.js";
import { ClientRegistry } from "./http/clients.js";
import { errorBoundary } from "./http/error-boundary.js";
import { requestLog } from "./http/request-log.js";
import type { AuthState } from "./http/state.js";
import { createLogger } from "./logger.js";
import type { Provider, StoreKind } from "./provider.js";
import type { SessionStore } from "./store/types.js";
import { OwnAccessTokens } from "./tokens/own-access-token.js";
import { RefreshTokenStrategy } from "./tokens/refresh-token.js";

export interface AuthAppDeps {
  config: AuthConfig;
  /** The effective policy (issuer may be the listening URL); default `config.policy`. */
  policy?: TokenPolicy;
  store: SessionStore;
  storeKind: StoreKind;
  /** Epoch milliseconds; default Date.now. */
  clock?: () => number;
  logger?: Logger;
}

/** Wires the real collaborators into one Provider (the composition point). */
export function createProvider(deps: AuthAppDeps): Provider {
  const policy = deps.policy ?? deps.config.policy;
  return {
    policy,
    store: deps.store,
    storeKind: deps.storeKind,
    clock: deps.clock ?? Date.now,
    logger: deps.logger ?? createLogger("info"),
    clients: new ClientRegistry(deps.config.dispatcherClients, deps.config.containerClientId),
    signingKeys: deps.config.signingKeys,
    refreshTokens: new RefreshTokenStrategy(deps.config.tokenSecrets),
    accessTokens: new OwnAccessTokens(deps.config.signingKeys, policy),
    adminToken: deps.config.adminToken,
  };
}

/** The auth-service as a Koa app (give `app.callback()` to an HTTP server or supertest). */
export function createAuthApp(deps: AuthAppDeps): Koa<AuthState> {
  const provider = createProvider(deps);
  const app = new Koa<AuthState>();
  const router = new Router<AuthState>();

  router.get(METADATA_PATH, metadataEndpoint);
  router.get(JWKS_PATH, jwksEndpoint);
  router.post(TOKEN_PATH, ...tokenEndpoint);
  router.post(REVOCATION_PATH, ...revocationEndpoint);
  router.post(INTROSPECTION_PATH, ...introspectionEndpoint);
  router.get("/healthz", healthzEndpoint);
  router.get("/admin/sessions", requireAdmin, listSessions);
  router.get("/admin/sessions/:sessionId", requireAdmin, readSession);
  router.delete("/admin/sessions/:sessionId", requireAdmin, deleteSession);
  router.post("/admin/revocations", requireAdmin, postRevocations);

  // Errors that escape the middleware (sockets torn down mid-response): log the message only.
  app.silent = true;
  app.on("error", (error: Error) => provider.logger.warn({ err: { name: error.name, message: error.message } }, "http error"));
  app.use(async (ctx, next) => {
    ctx.state.provider = provider;
    await next();
  });
  app.use(requestLog);
  app.use(errorBoundary);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
