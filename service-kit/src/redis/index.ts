export { firstError, type OpReplies, type PipelineOp, primaries, runStages } from "./batch.js";
export { closeRedis, connectInBackground, createRedisConnection, createRedisSubscriber, fastReconnect, type RedisConnection, type RedisConnectionOptions } from "./connect.js";
export { readRedisSettings } from "./from-settings.js";
export { defineScripts, scriptKeyCount } from "./scripts.js";
export { chooseRedis, DEFAULT_SENTINEL_MASTER, describeRedis, parseAddressList, type RedisAddress, type RedisAuth, type RedisChoice, type RedisSettings, RedisSettingsError, redisSettings, standaloneRedis } from "./settings.js";
export { isRedisUnavailable, RedisNotSafeNowError } from "./unavailable.js";
