import { randomBytes } from "node:crypto";
import { after } from "node:test";
import { closeRedis, createRedisConnection, type RedisSettings, redisSettings } from "@gastown/service-kit";
import { deleteKeys, randomPrefix, startRedisCluster, startRedisSentinel } from "@gastown/testkit";
import { RedisAgentStateStore } from "../src/state/redis.js";
import { agentStateContract } from "./agent-state-contract.js";

// The worker's agent state (keys of one town under {town:<id>}, Lua scripts of one slot)
// passes its contract unchanged on a Redis Cluster and on Sentinel: no CROSSSLOT.
const PASSWORD = "agent-state-modes-password-01234567";
const [cluster, sentinel] = await Promise.all([startRedisCluster({ password: PASSWORD }), startRedisSentinel({ password: PASSWORD })]);
after(() => Promise.all([cluster.stop(), sentinel.stop()]));

function pairOn(settings: RedisSettings) {
  return async () => {
    const prefix = randomPrefix("state-modes");
    const [ra, rb] = [createRedisConnection(settings, { name: `${prefix}a` }), createRedisConnection(settings, { name: `${prefix}b` })];
    return {
      a: new RedisAgentStateStore(ra, prefix, `a-${randomBytes(3).toString("hex")}`),
      b: new RedisAgentStateStore(rb, prefix, `b-${randomBytes(3).toString("hex")}`),
      async close() {
        await deleteKeys(ra, prefix);
        await Promise.all([closeRedis(ra), closeRedis(rb)]);
      },
    };
  };
}

agentStateContract("redis cluster", pairOn(redisSettings({ REDIS_CLUSTER_NODES: cluster.seeds.join(","), REDIS_PASSWORD: PASSWORD })!));
agentStateContract("redis sentinel", pairOn(redisSettings({ REDIS_SENTINELS: sentinel.sentinels.join(","), REDIS_PASSWORD: PASSWORD })!));
