/** Where a `host:port` entry of REDIS_CLUSTER_NODES or REDIS_SENTINELS points. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** Credentials and TLS for cluster and Sentinel connections (a REDIS_URL carries its own). */
export interface RedisAuth {
  username?: string;
  password?: string;
  tls: boolean;
}

/** One of the three Redis modes (DESIGN.md "Settings", "Deployments beyond one machine"). */
export type RedisSettings =
  | { mode: "standalone"; url: string; auth: RedisAuth }
  | { mode: "cluster"; nodes: RedisAddress[]; auth: RedisAuth }
  | { mode: "sentinel"; sentinels: RedisAddress[]; masterName: string; auth: RedisAuth };

export class RedisSettingsError extends Error {
  readonly code = "ERR_REDIS_SETTINGS";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = this.constructor.name;
  }
}

export const DEFAULT_SENTINEL_MASTER = "mymaster";

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

/** `host:port,host:port,...` (IPv6 as `[::1]:6379`); any malformed entry is an error naming it. */
export function parseAddressList(name: string, raw: string): RedisAddress[] {
  return raw.split(",").map((entry) => {
    const item = entry.trim();
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9][A-Za-z0-9.-]*)):([0-9]{1,5})$/.exec(item);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      throw new RedisSettingsError(`${name} must be host:port entries separated by commas; ${JSON.stringify(item)} is not one`);
    }
    return { host: match[1] ?? match[2]!, port };
  });
}

function standaloneUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new RedisSettingsError("REDIS_URL must be a redis:// or rediss:// URL", { cause });
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new RedisSettingsError(`REDIS_URL must be a redis:// or rediss:// URL, not ${url.protocol}`);
  if (url.pathname.length > 1 && !/^\/[0-9]{1,2}$/.test(url.pathname)) throw new RedisSettingsError("REDIS_URL's path must be a database index (/0 to /15)");
  return raw;
}

/**
 * The Redis settings of every service, read in one place: `REDIS_URL`,
 * `REDIS_CLUSTER_NODES` or `REDIS_SENTINELS` (+ `REDIS_SENTINEL_MASTER`), with
 * `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_TLS`. `null` when none of the three is set
 * (the in-memory development mode). More than one mode, a malformed list, or a Redis
 * option without a mode throws a RedisSettingsError that names the settings.
 */
export function redisSettings(env: NodeJS.ProcessEnv): RedisSettings | null {
  const url = value(env, "REDIS_URL");
  const clusterNodes = value(env, "REDIS_CLUSTER_NODES");
  const sentinels = value(env, "REDIS_SENTINELS");
  const masterName = value(env, "REDIS_SENTINEL_MASTER");
  const tlsRaw = value(env, "REDIS_TLS");
  if (tlsRaw !== undefined && tlsRaw !== "1" && tlsRaw !== "0") throw new RedisSettingsError(`REDIS_TLS must be 1 or 0, got ${JSON.stringify(tlsRaw)}`);
  const auth: RedisAuth = { username: value(env, "REDIS_USERNAME"), password: env.REDIS_PASSWORD || undefined, tls: tlsRaw === "1" };

  const modes = [url && "REDIS_URL", clusterNodes && "REDIS_CLUSTER_NODES", sentinels && "REDIS_SENTINELS"].filter(Boolean);
  if (modes.length > 1) throw new RedisSettingsError(`set only one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS (got ${modes.join(" and ")})`);
  if (masterName !== undefined && sentinels === undefined) throw new RedisSettingsError("REDIS_SENTINEL_MASTER is set without REDIS_SENTINELS");
  if (modes.length === 0) {
    const stray = ["REDIS_USERNAME", "REDIS_PASSWORD", "REDIS_TLS"].filter((name) => value(env, name) !== undefined);
    if (stray.length > 0) throw new RedisSettingsError(`${stray.join(", ")} set without REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS`);
    return null;
  }
  if (url) {
    if (auth.tls && !url.startsWith("rediss://")) throw new RedisSettingsError("REDIS_TLS=1 with a redis:// URL: use rediss:// in REDIS_URL");
    return { mode: "standalone", url: standaloneUrl(url), auth };
  }
  if (clusterNodes) return { mode: "cluster", nodes: parseAddressList("REDIS_CLUSTER_NODES", clusterNodes), auth };
  if (masterName !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(masterName)) throw new RedisSettingsError("REDIS_SENTINEL_MASTER must be a name of letters, digits, '.', '_' or '-'");
  return { mode: "sentinel", sentinels: parseAddressList("REDIS_SENTINELS", sentinels!), masterName: masterName ?? DEFAULT_SENTINEL_MASTER, auth };
}

/** Standalone settings for one URL (tests and programmatic callers that hold a URL). */
export function standaloneRedis(url: string): RedisSettings {
  return { mode: "standalone", url: standaloneUrl(url), auth: { tls: false } };
}

/** A log-safe description: the mode and addresses, never a password. */
export function describeRedis(settings: RedisSettings): string {
  const list = (addresses: readonly RedisAddress[]) => addresses.map((a) => (a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`)).join(",");
  switch (settings.mode) {
    case "standalone": {
      const url = new URL(settings.url);
      url.password = url.password ? "***" : "";
      return `standalone ${url.toString()}`;
    }
    case "cluster":
      return `cluster ${list(settings.nodes)}`;
    case "sentinel":
      return `sentinel ${settings.masterName} via ${list(settings.sentinels)}`;
  }
}

/** What a service's options may say about Redis (tests and embedders), before the environment. */
export interface RedisChoice {
  /** Settings in any mode; `null` forces the in-memory mode. */
  redis?: RedisSettings | null;
  /** Shorthand for standalone settings; `null` forces the in-memory mode. */
  redisUrl?: string | null;
}

/**
 * The one way a service decides its Redis: explicit options first (`redis`, then
 * `redisUrl`), else the environment (`redisSettings`). Every service's config module calls
 * this, so the three modes and their errors are the same everywhere.
 */
export function chooseRedis(choice: RedisChoice, env: NodeJS.ProcessEnv): RedisSettings | null {
  if (choice.redis !== undefined) return choice.redis;
  if (choice.redisUrl !== undefined) return choice.redisUrl === null ? null : standaloneRedis(choice.redisUrl);
  return redisSettings(env);
}
