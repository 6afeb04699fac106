import { parsePort, type RedisSettings, redisSettings } from "@gastown/service-kit";
import { POLICY_ENV } from "@gastown/token-policy";

/** What `npm start` runs, from flags and the environment (DESIGN.md "Settings"). */
export interface StackOptions {
  /** Environment the services read (GASTOWN_* lifetimes from flags are set here). */
  env: NodeJS.ProcessEnv;
  authPort: number;
  workerPort: number;
  containerPort: number;
  /** Redis in any mode (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS); null: in memory. */
  redis: RedisSettings | null;
  /** How often each agent calls back. */
  intervalMs: number;
  /** `sample` (the container-client sample agent) or `callback` (every kind of callback). */
  agent: "sample" | "callback";
  /** Log level of the services' own JSON logs (default `error`: the compact lines say the rest). */
  logLevel: string;
}

export class StackUsageError extends Error {
  readonly code = "ERR_STACK_USAGE";
}

/** The stack's Redis, read as every service reads it; a bad Redis setting is a usage error. */
function redisFromEnv(env: NodeJS.ProcessEnv): RedisSettings | null {
  try {
    return redisSettings(env);
  } catch (error) {
    throw new StackUsageError((error as Error).message);
  }
}

/** Flags that set a policy lifetime (whole seconds), mapped to their GASTOWN_* setting. */
const LIFETIME_FLAGS: Record<string, string> = {
  "--access-ttl": POLICY_ENV.accessTokenTtl,
  "--refresh-idle": POLICY_ENV.refreshIdleTtl,
  "--session-max": POLICY_ENV.sessionMaxTtl,
  "--grace": POLICY_ENV.refreshGrace,
  "--clock-tolerance": POLICY_ENV.clockTolerance,
};

export const USAGE = `npm start -- [flags]   (the local development stack)

  --access-ttl S       access token lifetime in seconds (GASTOWN_ACCESS_TOKEN_TTL; default 3600)
  --refresh-idle S     refresh token idle timeout (GASTOWN_REFRESH_IDLE_TTL)
  --session-max S      absolute session lifetime (GASTOWN_SESSION_MAX_TTL)
  --grace S            grace window of the previous refresh token (GASTOWN_REFRESH_GRACE)
  --clock-tolerance S  clock tolerance of the worker-api (GASTOWN_CLOCK_TOLERANCE)
  --interval-ms N      how often each agent calls back (default 5000)
  --agent KIND         sample (default) or callback (tool calls, heartbeats, events, completions)
  --log-level L        the services' own JSON logs (default error)

Settings: REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (Redis for everything; unset = in memory), REDIS_PREFIX,
AUTH_PORT / WORKER_PORT / CONTAINER_PORT (4000 / 4100 / 4200; 0 = any free port).
Example: npm start -- --access-ttl 20   (watch rotation live)`;

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  try {
    return parsePort(name, raw);
  } catch (error) {
    throw new StackUsageError((error as Error).message);
  }
}

/** Reads flags (`argv` without node and script) over the environment. */
export function parseStackOptions(argv: readonly string[], baseEnv: NodeJS.ProcessEnv): StackOptions {
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  let intervalMs = 5000;
  let agent: StackOptions["agent"] = "sample";
  let logLevel = "error";
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const need = (): string => {
      if (value === undefined || value.startsWith("--")) throw new StackUsageError(`${flag} needs a value`);
      i += 1;
      return value;
    };
    const setting = LIFETIME_FLAGS[flag];
    if (setting !== undefined) {
      const seconds = need();
      if (!/^[1-9][0-9]{0,9}$/.test(seconds)) throw new StackUsageError(`${flag} must be a positive whole number of seconds`);
      env[setting] = seconds;
    } else if (flag === "--interval-ms") {
      intervalMs = Number(need());
      if (!Number.isInteger(intervalMs) || intervalMs < 50) throw new StackUsageError("--interval-ms must be a whole number >= 50");
    } else if (flag === "--agent") {
      const kind = need();
      if (kind !== "sample" && kind !== "callback") throw new StackUsageError("--agent must be sample or callback");
      agent = kind;
    } else if (flag === "--log-level") {
      logLevel = need();
    } else {
      throw new StackUsageError(`unknown flag ${flag}`);
    }
  }
  if (env.NODE_ENV === "production") throw new StackUsageError("npm start runs the development stack; it refuses NODE_ENV=production (see infra/compose.yaml)");
  // DESIGN.md "Settings": the services use their development defaults only with this.
  env.NODE_ENV = "development";
  return {
    env,
    authPort: port(env, "AUTH_PORT", 4000),
    workerPort: port(env, "WORKER_PORT", 4100),
    containerPort: port(env, "CONTAINER_PORT", 4200),
    redis: redisFromEnv(env),
    intervalMs,
    agent,
    logLevel,
  };
}
