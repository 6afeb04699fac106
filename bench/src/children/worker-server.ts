import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@gastown/service-kit";
import { type AccessTokenClaims, DEFAULT_CONTAINER_CLIENT_ID } from "@gastown/token-policy";
import { createWorkerApp, startWorkerApi } from "@gastown/worker-api";
import type { Context, Next } from "koa";
import { childConfig, failChild, serveParent } from "./serve-parent.js";

/**
 * The worker-api under test, on Redis under the auth-service's prefix (so it hears that
 * auth-service's revocations), finding keys at `authUrl`. No container is started: the
 * bench only calls agent routes, which never reach the container.
 *
 * Two servers in this one process, taking turns under load (never both at once):
 * - `url`: the worker-api exactly as deployed (`startWorkerApi`, its `authenticate` step);
 * - `noAuthUrl`: the same app (`createWorkerApp`, the same records store, dispatcher,
 *   metrics and keys) whose authentication step only sets fixed claims for the agent the
 *   route names, so the difference between the two is the token check and nothing else.
 *   This exists only here: the worker-api has no setting that turns authentication off.
 */
async function main(): Promise<void> {
  const config = childConfig();
  if (!config.redisUrl || !config.prefix || typeof config.authUrl !== "string") throw new Error("redisUrl, prefix and authUrl are required");
  const worker = await startWorkerApi({
    env: {},
    authUrl: config.authUrl,
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    containerUrl: "http://127.0.0.1:9",
    containerControlToken: "bench-unused",
    clientId: String(config.clientId),
    clientSecret: String(config.clientSecret),
    reconcileIntervalMs: 3_600_000,
    // The bench drives each agent far above WORKER_AGENT_RATE: it measures the callback path, not 429s.
    recordLimits: { ratePerSecond: 1_000_000_000, burst: 1_000_000_000 },
    logLevel: typeof config.logLevel === "string" ? config.logLevel : "info",
  });
  const nowSec = Math.floor(Date.now() / 1000);
  const fixed: Omit<AccessTokenClaims, "sub" | "agent_id" | "rig_id" | "town_id" | "sid"> = {
    iss: worker.policy.issuer,
    aud: worker.policy.audience,
    client_id: DEFAULT_CONTAINER_CLIENT_ID,
    iat: nowSec,
    exp: nowSec + worker.policy.sessionMaxTtl,
    jti: "bench-no-authentication",
    scope: "agent",
    user_id: "user-1",
    role: "polecat",
  };
  const claimsByAgent = new Map<string, AccessTokenClaims>();
  const fixedClaims = async (ctx: Context & { params?: Record<string, string> }, next: Next): Promise<void> => {
    const { agentId = "", rigId, townId = "" } = ctx.params ?? {};
    let claims = claimsByAgent.get(agentId);
    if (claims === undefined) {
      claims = { ...fixed, sub: agentId, agent_id: agentId, rig_id: rigId, town_id: townId, sid: `bench-${agentId}` };
      claimsByAgent.set(agentId, claims);
    }
    ctx.state.claims = claims;
    await next();
  };
  const app = createWorkerApp({
    authenticator: fixedClaims,
    records: worker.records,
    now: Date.now,
    log: createLogger({ name: "worker-api", level: "silent" }),
    operatorToken: worker.operatorToken,
    dispatcher: worker.dispatcher,
    metrics: worker.metrics,
    keys: worker.keys,
    revocationsConfirmed: worker.revocationsConfirmed,
  });
  const noAuth: Server = createServer(app.callback());
  noAuth.listen(0, "127.0.0.1");
  await once(noAuth, "listening");
  serveParent(
    { type: "ready", url: worker.url, noAuthUrl: `http://127.0.0.1:${(noAuth.address() as AddressInfo).port}` },
    { cacheStats: async () => ({ hits: worker.verifyCache.hits, misses: worker.verifyCache.misses }) },
    async () => {
      noAuth.closeAllConnections();
      noAuth.close();
      await worker.close();
    },
  );
}

main().catch(failChild);
