import type { SettingsReader } from "../settings/settings-reader.js";
import { chooseRedis, type RedisChoice, type RedisSettings } from "./settings.js";

/**
 * The Redis settings of a service's config module, through its SettingsReader: explicit
 * options first (`chooseRedis`), else REDIS_URL / REDIS_CLUSTER_NODES / REDIS_SENTINELS. No
 * Redis at all (the in-memory mode) is a development-only default, recorded as such under
 * the name REDIS_URL; a bad Redis setting is one of the reader's problems (all reported at
 * once by `done()`).
 */
export function readRedisSettings(reader: SettingsReader, env: NodeJS.ProcessEnv, choice: RedisChoice = {}): RedisSettings | null {
  let redis: RedisSettings | null;
  try {
    redis = chooseRedis(choice, env);
  } catch (error) {
    reader.problem((error as Error).message);
    return null;
  }
  if (redis === null) reader.usesDevelopmentDefault("REDIS_URL");
  return redis;
}
