export { closeRedis, connectInBackground, createRedisConnection, createRedisSubscriber, fastReconnect, type RedisConnection, type RedisConnectionOptions } from "./connect.js";
export { type RedisAddress, type RedisAuth, type RedisSettings, RedisSettingsError, DEFAULT_SENTINEL_MASTER, describeRedis, parseAddressList, redisSettings, standaloneRedis } from "./settings.js";
export { firstError, type OpReplies, type PipelineOp, primaries, runStages } from "./batch.js";
