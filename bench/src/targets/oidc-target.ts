import { deleteKeys, randomPrefix } from "@gastown/testkit";
import { Redis } from "ioredis";
import { type StartChildOptions, startChild } from "../children/start-child.js";
import type { RefreshTarget } from "./refresh-target.js";

/** oidc-provider in a child process on `redisUrl` under a fresh random prefix. */
export async function startOidcTarget(redisUrl: string, options: StartChildOptions = {}): Promise<RefreshTarget> {
  const prefix = randomPrefix("bench-oidc");
  const child = await startChild("oidc-server", { redisUrl, prefix }, options);
  return {
    name: "oidc-provider",
    child,
    prefix,
    tokenPath: String(child.ready.tokenPath),
    clientId: String(child.ready.clientId),
    issue: (count) => child.request<string[]>("issue", { count }),
    async stop() {
      await child.stop();
      await removeKeys(redisUrl, prefix);
    },
  };
}

/** Deletes every key the bench wrote under `prefix` (never a flush). */
export async function removeKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  // A Redis that is gone (a killed primary in run-failover-loss) fails the deletion once, without a log line per reconnect.
  redis.on("error", () => {});
  try {
    await deleteKeys(redis, prefix);
  } finally {
    await redis.quit();
  }
}
