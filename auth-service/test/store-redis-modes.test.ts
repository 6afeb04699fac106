import { after } from "node:test";
import { closeRedis, createRedisConnection, createRedisSubscriber, type RedisSettings, redisSettings } from "@gastown/service-kit";
import { deleteKeys, randomPrefix, startRedisCluster, startRedisSentinel, waitFor } from "@gastown/testkit";
import { parseRevocationEvent, type RevocationEvent, revocationChannel, type TokenPolicy } from "@gastown/token-policy";
import { createRedisStore } from "../src/store/index.js";
import { type StoreHarness, storeContract } from "./store-contract.js";

// DESIGN.md "Deployments beyond one machine": the same store contract, unchanged, on a
// Redis Cluster (3 primaries + 3 replicas) and on a Sentinel-managed primary with a replica.
const PASSWORD = "store-modes-test-password-0123456789";
const [cluster, sentinel] = await Promise.all([startRedisCluster({ password: PASSWORD }), startRedisSentinel({ password: PASSWORD })]);
after(async () => { await Promise.all([cluster.stop(), sentinel.stop()]); setTimeout(() => console.log("HANDLES", process.getActiveResourcesInfo().join(" ")), 3000).unref(); });

function harnessOn(settings: RedisSettings): (policy: TokenPolicy) => Promise<StoreHarness> {
  return async (policy) => {
    const prefix = randomPrefix("modes");
    const redis = createRedisConnection(settings, { name: `${prefix}store` });
    const subscriber = createRedisSubscriber(settings, { name: `${prefix}listener` });
    const seen: RevocationEvent[] = [];
    subscriber.on("message", (_channel: string, message: string) => {
      const event = parseRevocationEvent(message);
      if (event) seen.push(event);
    });
    await subscriber.subscribe(revocationChannel(prefix));
    const store = createRedisStore({ redis, prefix, policy });
    return {
      store,
      policy,
      events: (count) => waitFor(() => seen.length >= count && [...seen], 10_000, `${count} revocation events`),
      async close() {
        await store.close();
        await deleteKeys(redis, prefix);
        subscriber.disconnect();
        await closeRedis(redis);
      },
    };
  };
}

storeContract("redis store on a cluster", harnessOn(redisSettings({ REDIS_CLUSTER_NODES: cluster.seeds.join(","), REDIS_PASSWORD: PASSWORD })!));
storeContract("redis store on sentinel", harnessOn(redisSettings({ REDIS_SENTINELS: sentinel.sentinels.join(","), REDIS_PASSWORD: PASSWORD })!));
