export { freePort } from "./ports.js";
export { deleteKeys, randomPrefix, type RedisServer, type RedisServerOptions, startRedisServer, testRedisUrl } from "./redis.js";
export { type Truthy, waitFor } from "./wait.js";
export { parseExposition, type Sample, type Scrape, scrape } from "./metrics.js";
