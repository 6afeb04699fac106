import { startWorkerApi } from "@gastown/worker-api";
import { childConfig, failChild, serveParent } from "./serve-parent.js";

/**
 * The worker-api under test, on Redis under the auth-service's prefix (so it hears that
 * auth-service's revocations), finding keys at `authUrl`. No container is started: the
 * bench only calls agent routes, which never reach the container.
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
    logLevel: "silent",
  });
  serveParent(
    { type: "ready", url: worker.url },
    { cacheStats: async () => ({ hits: worker.verifyCache.hits, misses: worker.verifyCache.misses }) },
    () => worker.close(),
  );
}

main().catch(failChild);
