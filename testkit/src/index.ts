export { freePort } from "./ports.js";
export { deleteKeys, randomPrefix, type RedisServer, type RedisServerOptions, startRedisServer, testRedisUrl } from "./redis.js";
export type { RedisProcess } from "./redis-process.js";
export { type RedisCluster, type RedisClusterOptions, startRedisCluster } from "./redis-cluster.js";
export { type RedisSentinelOptions, type RedisSentinelSetup, startRedisSentinel } from "./redis-sentinel.js";
export { type Truthy, waitFor } from "./wait.js";
export { parseExposition, type Sample, type Scrape, scrape } from "./metrics.js";
export { randomUidRange } from "./uids.js";
export { DEVELOPMENT } from "./env.js";
