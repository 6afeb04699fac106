import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, POLICY_DEFAULTS, POLICY_ENV } from "./defaults.js";
import { PolicyConfigError } from "./errors.js";

export type Algorithm = "ES256" | "EdDSA";
/** Signing algorithms accepted anywhere (pinned: nothing else is ever verified). */
export const ALGORITHMS: readonly Algorithm[] = ["ES256", "EdDSA"];
/** The algorithm new keys use. */
export const DEFAULT_ALGORITHM: Algorithm = "ES256";

/** The resolved policy every package reads its lifetimes and verify rules from. */
export interface TokenPolicy {
  readonly accessTokenTtl: number;
  readonly refreshIdleTtl: number;
  readonly sessionMaxTtl: number;
  readonly refreshGrace: number;
  readonly clockTolerance: number;
  readonly refreshAheadFraction: number;
  readonly refreshJitterFraction: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly minRefreshIntervalMs: number;
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly Algorithm[];
}

export type PolicyOverrides = Partial<TokenPolicy>;

function positiveSeconds(name: string, raw: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw.trim())) {
    throw new PolicyConfigError(`${name} must be a positive whole number of seconds, got ${JSON.stringify(raw)}`);
  }
  return Number(raw.trim());
}

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new PolicyConfigError(`${name} must be an absolute URL, got ${JSON.stringify(raw)}`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new PolicyConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, "");
}

/**
 * Builds the policy from the defaults, the environment (`GASTOWN_*`, `AUTH_ISSUER`,
 * `AUTH_AUDIENCE`) and explicit overrides (tests), in that order. A bad value throws
 * `PolicyConfigError` naming the setting, so a service fails at start-up, not later.
 */
export function loadPolicy(env: NodeJS.ProcessEnv = process.env, overrides: PolicyOverrides = {}): TokenPolicy {
  const lifetimes: Record<keyof typeof POLICY_ENV, number> = {
    accessTokenTtl: POLICY_DEFAULTS.accessTokenTtl,
    refreshIdleTtl: POLICY_DEFAULTS.refreshIdleTtl,
    sessionMaxTtl: POLICY_DEFAULTS.sessionMaxTtl,
    refreshGrace: POLICY_DEFAULTS.refreshGrace,
    clockTolerance: POLICY_DEFAULTS.clockTolerance,
  };
  for (const key of Object.keys(POLICY_ENV) as (keyof typeof POLICY_ENV)[]) {
    const name = POLICY_ENV[key];
    const raw = env[name];
    if (raw !== undefined && raw !== "") lifetimes[key] = positiveSeconds(name, raw);
  }
  const audience = env.AUTH_AUDIENCE?.trim() || DEFAULT_AUDIENCE;
  const policy: TokenPolicy = {
    ...POLICY_DEFAULTS,
    ...lifetimes,
    issuer: httpUrl("AUTH_ISSUER", env.AUTH_ISSUER?.trim() || DEFAULT_ISSUER),
    audience,
    algorithms: ALGORITHMS,
    ...overrides,
  };
  if (policy.sessionMaxTtl < policy.accessTokenTtl) {
    // Not an error: exp is capped at the session's end anyway. Kept permissive so tests
    // can run a whole session lifetime in seconds.
  }
  return Object.freeze(policy);
}
