import { randomBytes } from "node:crypto";
import { type RedisSettings, readRedisSettings, SettingsReader, type TlsFiles } from "@gastown/service-kit";
import { DEFAULT_ISSUER, loadPolicy, type TokenPolicy } from "@gastown/token-policy";
import { WorkerConfigError } from "./errors.js";
import { DEFAULT_RECORD_LIMITS, type RecordLimits } from "./records/limits.js";

/**
 * Every worker-api setting, read from the environment in one place (DESIGN.md
 * "Settings"); `main.ts` hands them to `startWorkerApi`. Lifetimes are not here: they
 * all come from the token policy. Tuning without a setting is `WORKER_TUNING` (server.ts).
 */
export interface WorkerSettings {
  /** WORKER_HOST, WORKER_PORT: where it listens. */
  host: string;
  port: number;
  /** WORKER_TLS_CERT_FILE, WORKER_TLS_KEY_FILE: answer HTTPS (both or neither). */
  tls?: TlsFiles;
  /** AUTH_ISSUER: where the metadata (RFC 8414) and JWKS are found. */
  authUrl: string;
  /** CONTAINER_URL: the container control server. */
  containerUrl: string;
  containerControlToken: string;
  clientId: string;
  clientSecret: string;
  operatorToken: string;
  /** Redis in any mode (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS); null: in memory (development only). */
  redis: RedisSettings | null;
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
  logLevel: string;
  /** The token policy (GASTOWN_*, AUTH_AUDIENCE; the issuer is AUTH_ISSUER). */
  policy: TokenPolicy;
  /** The settings that took a development default (only with NODE_ENV=development). */
  developmentDefaults: readonly string[];
}

export const DEFAULT_WORKER_PORT = 4100;
export const DEFAULT_CONTAINER_URL = "http://127.0.0.1:4200";
export const DEFAULT_PREFIX = "gt:";
/**
 * WORKER_REVOCATION_MAX_STALENESS: past this long without a confirmed complete revoked set,
 * agent tokens get 503 (fail closed). Several resync periods, so one slow read does not
 * refuse anyone; short, so a missed revocation cannot be honoured for long. Recommended: 5 s.
 */
export const DEFAULT_REVOCATION_MAX_STALENESS_MS = 5_000;
/** WORKER_CLAIM_LEASE_MS: a killed instance's agents are taken over once it runs out (renewed every third of it while held). */
export const DEFAULT_CLAIM_LEASE_MS = 10_000;
/** WORKER_CLAIM_POLL_MS: longest sleep between two looks at the due set (agents other instances added). */
export const DEFAULT_CLAIM_POLL_MS = 1_000;
const DEV_CLIENT_ID = "worker";
const DEV_CLIENT_SECRET = "dev-worker-secret";
const generated = () => randomBytes(32).toString("base64url");

/** A positive whole number of seconds, in ms. */
function positiveSecondsMs(name: string, raw: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) throw new WorkerConfigError(`${name} must be a positive whole number of seconds, got ${JSON.stringify(raw.slice(0, 32))}`);
  return Number(raw) * 1000;
}

/** A whole number of milliseconds in [min, max]. */
function milliseconds(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^[0-9]{1,9}$/.test(raw) || value < min || value > max) {
    throw new WorkerConfigError(`${name} must be a whole number of milliseconds from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 32))}`);
  }
  return value;
}

/** A positive whole number. */
function positiveInteger(name: string, raw: string): number {
  if (!/^[1-9][0-9]{0,12}$/.test(raw)) throw new WorkerConfigError(`${name} must be a positive whole number, got ${JSON.stringify(raw.slice(0, 32))}`);
  return Number(raw);
}

function loadRecordLimits(settings: SettingsReader): RecordLimits {
  const d = DEFAULT_RECORD_LIMITS;
  const value = (name: string, parse: (name: string, raw: string) => number, fallback: number): number => {
    const raw = settings.string(name);
    return raw === undefined ? fallback : settings.parsed(() => parse(name, raw), fallback);
  };
  const limits: RecordLimits = {
    maxRecordBytes: value("WORKER_RECORD_MAX_BYTES", positiveInteger, d.maxRecordBytes),
    maxPerAgent: value("WORKER_RECORDS_PER_AGENT", positiveInteger, d.maxPerAgent),
    retentionMs: value("WORKER_RECORD_RETENTION", positiveSecondsMs, d.retentionMs),
    ratePerSecond: value("WORKER_AGENT_RATE", positiveInteger, d.ratePerSecond),
    burst: value("WORKER_AGENT_BURST", positiveInteger, d.burst),
    quotaWindowMs: d.quotaWindowMs,
    quotaRecords: value("WORKER_AGENT_QUOTA_RECORDS", positiveInteger, d.quotaRecords),
    quotaBytes: value("WORKER_AGENT_QUOTA_BYTES", positiveInteger, d.quotaBytes),
  };
  if (limits.quotaBytes < limits.maxRecordBytes) settings.problem("WORKER_AGENT_QUOTA_BYTES must be at least WORKER_RECORD_MAX_BYTES");
  return limits;
}

/**
 * Reads and checks the settings. Development-only defaults (dispatcher client, a
 * generated operator and control token, in-memory records) only with
 * NODE_ENV=development; otherwise one WorkerConfigError names every missing setting
 * and every weak secret.
 */
export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const settings = new SettingsReader(env, { service: "worker-api", error: (message) => new WorkerConfigError(message) });
  const optional = <T>(name: string, parse: (raw: string) => T, fallback: T): T => {
    const raw = settings.string(name);
    return raw === undefined ? fallback : settings.parsed(() => parse(raw), fallback);
  };
  const clientId = settings.withDevelopmentDefault("WORKER_CLIENT_ID", DEV_CLIENT_ID);
  const clientSecret = settings.secret("WORKER_CLIENT_SECRET", DEV_CLIENT_SECRET);
  const operatorToken = settings.secret("WORKER_OPERATOR_TOKEN", generated());
  const containerControlToken = settings.secret("CONTAINER_CONTROL_TOKEN", generated());
  const redis = readRedisSettings(settings, env);
  const authUrl = settings.url("AUTH_ISSUER", DEFAULT_ISSUER);
  const result = {
    host: settings.host("WORKER_HOST"),
    port: settings.port("WORKER_PORT", DEFAULT_WORKER_PORT),
    tls: settings.tls("WORKER"),
    authUrl,
    containerUrl: settings.url("CONTAINER_URL", DEFAULT_CONTAINER_URL),
    containerControlToken,
    clientId,
    clientSecret,
    operatorToken,
    redis,
    prefix: env.REDIS_PREFIX ?? DEFAULT_PREFIX,
    revocationMaxStalenessMs: optional("WORKER_REVOCATION_MAX_STALENESS", (raw) => positiveSecondsMs("WORKER_REVOCATION_MAX_STALENESS", raw), DEFAULT_REVOCATION_MAX_STALENESS_MS),
    requireHttps: !settings.development,
    claimLeaseMs: optional("WORKER_CLAIM_LEASE_MS", (raw) => milliseconds("WORKER_CLAIM_LEASE_MS", raw, 200, 600_000), DEFAULT_CLAIM_LEASE_MS),
    claimPollMs: optional("WORKER_CLAIM_POLL_MS", (raw) => milliseconds("WORKER_CLAIM_POLL_MS", raw, 20, 60_000), DEFAULT_CLAIM_POLL_MS),
    recordLimits: loadRecordLimits(settings),
    logLevel: settings.logLevel(),
    policy: settings.parsed(() => loadPolicy(env, { issuer: authUrl }), undefined),
    developmentDefaults: settings.developmentDefaults,
  };
  settings.done();
  return { ...result, policy: result.policy! };
}
