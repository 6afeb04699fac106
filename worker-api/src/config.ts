import { randomBytes } from "node:crypto";
import { DEFAULT_ISSUER } from "@gastown/token-policy";
import { WorkerConfigError } from "./errors.js";
import { DEFAULT_RECORD_LIMITS, type RecordLimits } from "./records/limits.js";
import type { WorkerApiOptions } from "./server.js";

/**
 * Every worker-api setting read from the environment, in one place (DESIGN.md "Settings").
 * Lifetimes are not here: they all come from the token policy.
 */
export interface WorkerSettings {
  port: number;
  /** AUTH_ISSUER: where the metadata (RFC 8414) and JWKS are found. */
  authUrl: string;
  containerUrl: string;
  /** Undefined in development when the launcher did not set one (container calls will then fail with 401). */
  containerControlToken: string | undefined;
  clientId: string;
  clientSecret: string;
  /** Undefined when it must be generated (development only). */
  operatorToken: string | undefined;
  redisUrl: string | null;
  prefix: string;
  /** WORKER_REVOCATION_MAX_STALENESS, in ms. */
  revocationMaxStalenessMs: number;
  /** The auth-service's metadata must be https unless NODE_ENV=development. */
  requireHttps: boolean;
  /** WORKER_CLAIM_LEASE_MS: a claim's lease on an agent (how long a killed instance's agents wait). */
  claimLeaseMs: number;
  /** WORKER_CLAIM_POLL_MS: longest sleep between two looks at the due set. */
  claimPollMs: number;
  /** WORKER_RECORD_*, WORKER_RECORDS_PER_AGENT, WORKER_AGENT_*: what one agent may store. */
  recordLimits: RecordLimits;
}

export const DEFAULT_WORKER_PORT = 4100;
export const DEFAULT_CONTAINER_URL = "http://127.0.0.1:4200";
export const DEFAULT_PREFIX = "gt:";
const DEV_CLIENT_ID = "worker";
const DEV_CLIENT_SECRET = "dev-worker-secret";

/** Tuning that is not a token lifetime (those come from the policy). */
export const WORKER_DEFAULTS = {
  /** Reconcile timer: how often every running agent's session health is checked. */
  reconcileIntervalMs: 30_000,
  /**
   * Superseded sessions are revoked at most this long after the container confirmed the swap
   * (calls in flight), and always before the old session's own end (dispatch/due.ts).
   */
  supersededRevokeDelayMs: 5_000,
  /** A claim's lease: a killed instance's agents are taken over once it runs out (renewed every third of it while held). */
  claimLeaseMs: 10_000,
  /** Longest sleep between two looks at the due set (agents other instances added). */
  claimPollMs: 1_000,
  /** SIGTERM drain: requests still in flight after this long are cut. */
  drainTimeoutMs: 10_000,
  /** Safety-net resync of the revoked set, so a missed pub/sub message still lands within 1 s. */
  revocationResyncIntervalMs: 500,
  /**
   * WORKER_REVOCATION_MAX_STALENESS: past this long without a confirmed complete revoked set,
   * agent tokens get 503 (fail closed). Several resync periods, so one slow read does not
   * refuse anyone; short, so a missed revocation cannot be honoured for long. Recommended: 5 s.
   */
  revocationMaxStalenessMs: 5_000,
  /** Verified-token cache size (entries). */
  verifyCacheSize: 10_000,
  /** An unknown kid refetches the JWKS at most this often. */
  jwksRefetchCooldownMs: 1_000,
  /**
   * The JWKS is also refetched this often: a key removed from it (after a compromise) is
   * refused, and tokens it verified leave the cache, within this bound. Recommended: 60 s.
   */
  jwksRefreshIntervalMs: 60_000,
  /** Largest JSON body an agent may post. */
  maxBodyBytes: 256 * 1024,
} as const;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_WORKER_PORT;
  if (!/^[0-9]{1,5}$/.test(raw.trim()) || Number(raw) > 65535) {
    throw new WorkerConfigError(`WORKER_PORT must be a port number, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** A positive whole number of seconds, in ms; `fallbackMs` when unset. */
function positiveSecondsMs(name: string, raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined || raw.trim() === "") return fallbackMs;
  if (!/^[1-9][0-9]{0,8}$/.test(raw.trim())) throw new WorkerConfigError(`${name} must be a positive whole number of seconds, got ${JSON.stringify(raw)}`);
  return Number(raw.trim()) * 1000;
}

/** A whole number of milliseconds in [min, max], or the default when unset. */
function milliseconds(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw.trim());
  if (!/^[0-9]{1,9}$/.test(raw.trim()) || value < min || value > max) {
    throw new WorkerConfigError(`${name} must be a whole number of milliseconds from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A positive whole number; `fallback` when unset. */
function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!/^[1-9][0-9]{0,12}$/.test(raw.trim())) throw new WorkerConfigError(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  return Number(raw.trim());
}

function loadRecordLimits(env: NodeJS.ProcessEnv): RecordLimits {
  const d = DEFAULT_RECORD_LIMITS;
  const limits: RecordLimits = {
    maxRecordBytes: positiveInteger("WORKER_RECORD_MAX_BYTES", env.WORKER_RECORD_MAX_BYTES, d.maxRecordBytes),
    maxPerAgent: positiveInteger("WORKER_RECORDS_PER_AGENT", env.WORKER_RECORDS_PER_AGENT, d.maxPerAgent),
    retentionMs: positiveSecondsMs("WORKER_RECORD_RETENTION", env.WORKER_RECORD_RETENTION, d.retentionMs),
    ratePerSecond: positiveInteger("WORKER_AGENT_RATE", env.WORKER_AGENT_RATE, d.ratePerSecond),
    burst: positiveInteger("WORKER_AGENT_BURST", env.WORKER_AGENT_BURST, d.burst),
    quotaWindowMs: d.quotaWindowMs,
    quotaRecords: positiveInteger("WORKER_AGENT_QUOTA_RECORDS", env.WORKER_AGENT_QUOTA_RECORDS, d.quotaRecords),
    quotaBytes: positiveInteger("WORKER_AGENT_QUOTA_BYTES", env.WORKER_AGENT_QUOTA_BYTES, d.quotaBytes),
  };
  if (limits.quotaBytes < limits.maxRecordBytes) throw new WorkerConfigError("WORKER_AGENT_QUOTA_BYTES must be at least WORKER_RECORD_MAX_BYTES");
  return limits;
}

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new WorkerConfigError(`${name} must be an absolute URL, got ${JSON.stringify(raw)}`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WorkerConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, "");
}

/**
 * Reads the settings. With NODE_ENV=production every development-only default is
 * refused, naming the missing setting.
 */
export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const production = env.NODE_ENV === "production";
  const missing: string[] = [];
  const devDefault = <T>(name: string, value: string | undefined, fallback: T): string | T => {
    if (value !== undefined) return value;
    if (production) missing.push(name);
    return fallback;
  };
  const clientId = devDefault("WORKER_CLIENT_ID", nonEmpty(env.WORKER_CLIENT_ID), DEV_CLIENT_ID);
  const clientSecret = devDefault("WORKER_CLIENT_SECRET", nonEmpty(env.WORKER_CLIENT_SECRET), DEV_CLIENT_SECRET);
  const operatorToken = devDefault("WORKER_OPERATOR_TOKEN", nonEmpty(env.WORKER_OPERATOR_TOKEN), undefined);
  const containerControlToken = devDefault("CONTAINER_CONTROL_TOKEN", nonEmpty(env.CONTAINER_CONTROL_TOKEN), undefined);
  const redisUrl = devDefault("REDIS_URL", nonEmpty(env.REDIS_URL), null);
  if (missing.length > 0) {
    throw new WorkerConfigError(`NODE_ENV=production refuses development defaults; set ${missing.join(", ")}`);
  }
  return {
    port: parsePort(env.WORKER_PORT),
    authUrl: httpUrl("AUTH_ISSUER", nonEmpty(env.AUTH_ISSUER) ?? DEFAULT_ISSUER),
    containerUrl: httpUrl("CONTAINER_URL", nonEmpty(env.CONTAINER_URL) ?? DEFAULT_CONTAINER_URL),
    containerControlToken,
    clientId,
    clientSecret,
    operatorToken,
    redisUrl,
    prefix: env.REDIS_PREFIX ?? DEFAULT_PREFIX,
    requireHttps: env.NODE_ENV !== "development",
    recordLimits: loadRecordLimits(env),
    revocationMaxStalenessMs: positiveSecondsMs("WORKER_REVOCATION_MAX_STALENESS", env.WORKER_REVOCATION_MAX_STALENESS, WORKER_DEFAULTS.revocationMaxStalenessMs),
    claimLeaseMs: milliseconds("WORKER_CLAIM_LEASE_MS", env.WORKER_CLAIM_LEASE_MS, WORKER_DEFAULTS.claimLeaseMs, 200, 600_000),
    claimPollMs: milliseconds("WORKER_CLAIM_POLL_MS", env.WORKER_CLAIM_POLL_MS, WORKER_DEFAULTS.claimPollMs, 20, 60_000),
  };
}

/**
 * What `npm start` passes to `startWorkerApi`: the settings, `LOG_LEVEL` (default info), and
 * in development a random control token when none is set (container calls are then refused).
 * An unset operator token is left to `startWorkerApi`, which generates one.
 */
export function workerApiOptions(settings: WorkerSettings, env: NodeJS.ProcessEnv): WorkerApiOptions {
  return {
    env,
    port: settings.port,
    authUrl: settings.authUrl,
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    revocationMaxStalenessMs: settings.revocationMaxStalenessMs,
    requireHttps: settings.requireHttps,
    claimLeaseMs: settings.claimLeaseMs,
    claimPollMs: settings.claimPollMs,
    recordLimits: settings.recordLimits,
    containerUrl: settings.containerUrl,
    containerControlToken: settings.containerControlToken ?? randomBytes(32).toString("base64url"),
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    ...(settings.operatorToken === undefined ? {} : { operatorToken: settings.operatorToken }),
    logLevel: env.LOG_LEVEL ?? "info",
  };
}
