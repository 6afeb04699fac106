import { primaries, type RedisConnection } from "@gastown/service-kit";

/** Escapes glob characters so a prefix matches only itself in SCAN MATCH. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

async function serialize(redis: RedisConnection, key: string): Promise<string | undefined> {
  const type = await redis.type(key);
  switch (type) {
    case "hash": {
      const hash = await redis.hgetall(key);
      return JSON.stringify(Object.fromEntries(Object.entries(hash).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    }
    case "set":
      return JSON.stringify((await redis.smembers(key)).sort());
    case "zset":
      return JSON.stringify(await redis.zrange(key, "0", "-1", "WITHSCORES"));
    case "list":
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case "stream":
      return JSON.stringify(await redis.xrange(key, "-", "+"));
    case "string":
      return (await redis.get(key)) ?? undefined;
    case "none":
      return undefined;
    default:
      return `<${type}>`;
  }
}

/** Every key under the prefix (on every primary of a cluster) with its value serialized by type (tests compare before/after). */
export async function dumpKeys(redis: RedisConnection, prefix: string): Promise<Record<string, string>> {
  const keys: string[] = [];
  for (const node of primaries(redis)) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "MATCH", `${globLiteral(prefix)}*`, "COUNT", 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
  }
  const out: Record<string, string> = {};
  for (const key of [...new Set(keys)].sort()) {
    const value = await serialize(redis, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}
