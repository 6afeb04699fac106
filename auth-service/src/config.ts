import { randomBytes } from "node:crypto";
import { type RedisSettings, readRedisSettings, SettingsReader, type TlsFiles } from "@gastown/service-kit";
import { DEFAULT_CONTAINER_CLIENT_ID, loadPolicy, PolicyConfigError, type PolicyOverrides, type TokenPolicy } from "@gastown/token-policy";
import { AuthConfigError } from "./errors.js";
import { generateSigningKeys, loadSigningKeysFile, type SigningKeys } from "./keys/signing-keys.js";
import { REPLICA_WAIT_OFF, type ReplicaWaitSettings } from "./store/redis/replica-wait.js";

/**
 * Every setting of the auth-service, read once at start (DESIGN.md "Settings").
 *
 * | setting | what | default |
 * | --- | --- | --- |
 * | AUTH_HOST, AUTH_PORT | listen address and port (0 = ephemeral) | 127.0.0.1, 4000 |
 * | AUTH_TLS_CERT_FILE, AUTH_TLS_KEY_FILE | PEM certificate chain and key: answer HTTPS (both or neither) | unset: HTTP |
 * | AUTH_ISSUER, AUTH_AUDIENCE, GASTOWN_* | the token policy (token-policy's loadPolicy) | see token-policy |
 * | AUTH_DISPATCHER_CLIENTS | `id:secret,...` confidential dispatcher clients | dev: `worker:dev-worker-secret` |
 * | AUTH_ADMIN_TOKEN | Bearer credential of /admin | dev: generated, printed once |
 * | AUTH_SIGNING_KEYS_FILE | JWK Set with private keys; the first not marked `"gastown_status": "published"` signs, all are published; reloaded on SIGHUP | dev: an ES256 key generated at start |
 * | AUTH_TOKEN_SECRET | refresh token MAC secrets, comma-separated, >= 32 chars each; first makes tokens | dev: generated at start |
 * | REDIS_URL | the session store; unset = in-memory | dev: in-memory |
 * | REDIS_PREFIX | key and channel prefix | `gt:` |
 * | AUTH_AUDIT_MAX_ENTRIES | bound of the audit trail (Redis stream `<prefix>audit`, or memory) | 50000 |
 * | AUTH_REDIS_WAIT_REPLICAS | 0-100: a dispatch, rotation or revocation is answered only once this many replicas hold it (Redis WAIT; fewer in time: 503 temporarily_unavailable, the client retries); 0 = off | 0 |
 * | AUTH_REDIS_WAIT_TIMEOUT_MS | 1-10000: how long that WAIT may take | 100 |
 * | LOG_LEVEL | pino level | info |
 *
 * Development defaults only with NODE_ENV=development; otherwise the service refuses to
 * start naming every missing setting, and every secret must be strong (service-kit).
 */
export interface DispatcherClient {
  id: string;
  secret: string;
}

export interface AuthConfig {
  host: string;
  port: number;
  /** AUTH_TLS_CERT_FILE and AUTH_TLS_KEY_FILE: HTTPS when set (the issuer must be https outside development). */
  tls?: TlsFiles;
  logLevel: string;
  /** True when AUTH_ISSUER (or an override) fixes the issuer; otherwise the listening URL is used. */
  issuerConfigured: boolean;
  policy: TokenPolicy;
  dispatcherClients: DispatcherClient[];
  containerClientId: string;
  adminToken: string;
  signingKeys: SigningKeys;
  /** AUTH_SIGNING_KEYS_FILE, re-read by `reloadSigningKeys` (null: generated keys, nothing to reload). */
  signingKeysFile: string | null;
  /** How many audit entries are kept (AUTH_AUDIT_MAX_ENTRIES). */
  auditMaxEntries: number;
  /** AUTH_REDIS_WAIT_REPLICAS and AUTH_REDIS_WAIT_TIMEOUT_MS (replicas 0: off). */
  replicaWait: ReplicaWaitSettings;
  /** First makes refresh tokens, all are accepted. */
  tokenSecrets: string[];
  /** Redis in any mode (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS); null: in memory. */
  redis: RedisSettings | null;
  prefix: string;
  /** The settings that took a development default (only with NODE_ENV=development). */
  developmentDefaults: string[];
}

export interface ConfigInput {
  env?: NodeJS.ProcessEnv;
  policyOverrides?: PolicyOverrides;
  redis?: RedisSettings | null;
  redisUrl?: string | null;
  prefix?: string;
  port?: number;
  host?: string;
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MIN_SECRET_LENGTH = 32;
const MIN_ADMIN_TOKEN_LENGTH = 16;
const DEFAULT_AUDIT_MAX_ENTRIES = 50_000;
const DEV_DISPATCHER_CLIENTS = "worker:dev-worker-secret";

/** A whole number `min`-`max` (at most 8 digits), else an AuthConfigError naming the setting. */
function parseWholeNumber(name: string, raw: string, min: number, max: number): number {
  if (!/^[0-9]{1,8}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new AuthConfigError(`${name} must be a whole number ${min}-${max}, got ${JSON.stringify(raw.slice(0, 32))}`);
  return Number(raw);
}

function parseAuditMaxEntries(raw: string | undefined): number {
  return raw === undefined ? DEFAULT_AUDIT_MAX_ENTRIES : parseWholeNumber("AUTH_AUDIT_MAX_ENTRIES", raw, 10, 99_999_999);
}

/** AUTH_REDIS_WAIT_REPLICAS: 0-100, 0 = off. */
export function parseWaitReplicas(raw: string | undefined): number {
  return raw === undefined ? REPLICA_WAIT_OFF.replicas : parseWholeNumber("AUTH_REDIS_WAIT_REPLICAS", raw, 0, 100);
}

/** AUTH_REDIS_WAIT_TIMEOUT_MS: 1-10000 (WAIT's own 0 would block a refresh forever). */
export function parseWaitTimeoutMs(raw: string | undefined): number {
  return raw === undefined ? REPLICA_WAIT_OFF.timeoutMs : parseWholeNumber("AUTH_REDIS_WAIT_TIMEOUT_MS", raw, 1, 10_000);
}

export function parseDispatcherClients(raw: string, containerClientId: string): DispatcherClient[] {
  const clients: DispatcherClient[] = [];
  for (const [index, entry] of raw.split(",").entries()) {
    const colon = entry.indexOf(":");
    const id = colon > 0 ? entry.slice(0, colon).trim() : "";
    const secret = colon > 0 ? entry.slice(colon + 1).trim() : "";
    if (!CLIENT_ID.test(id) || secret.length === 0) {
      throw new AuthConfigError(`AUTH_DISPATCHER_CLIENTS entry ${index + 1} must be id:secret with an id like ${CLIENT_ID.source}`);
    }
    if (id === containerClientId) throw new AuthConfigError(`AUTH_DISPATCHER_CLIENTS: ${id} is the public container client`);
    if (clients.some((c) => c.id === id)) throw new AuthConfigError(`AUTH_DISPATCHER_CLIENTS: client ${id} is listed twice`);
    clients.push({ id, secret });
  }
  return clients;
}

export function parseTokenSecrets(raw: string): string[] {
  const secrets = raw.split(",").map((s) => s.trim());
  secrets.forEach((secret, index) => {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new AuthConfigError(`AUTH_TOKEN_SECRET secret ${index + 1} is shorter than ${MIN_SECRET_LENGTH} characters`);
    }
  });
  return secrets;
}

function parseAdminToken(raw: string): string {
  if (raw.length < MIN_ADMIN_TOKEN_LENGTH) throw new AuthConfigError(`AUTH_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  return raw;
}

function loadTokenPolicy(env: NodeJS.ProcessEnv, overrides: PolicyOverrides): TokenPolicy {
  try {
    return loadPolicy(env, overrides);
  } catch (error) {
    if (error instanceof PolicyConfigError) throw error;
    throw new AuthConfigError("cannot load the token policy", { cause: error });
  }
}

/**
 * Reads and checks every setting; throws one AuthConfigError naming every bad and every
 * missing setting (or a PolicyConfigError for a bad policy override).
 */
export async function loadAuthConfig(input: ConfigInput = {}): Promise<AuthConfig> {
  const env = input.env ?? process.env;
  const settings = new SettingsReader(env, { service: "auth-service", error: (message) => new AuthConfigError(message) });
  const containerClientId = DEFAULT_CONTAINER_CLIENT_ID;
  const policy = loadTokenPolicy(env, input.policyOverrides ?? {});

  const clientsRaw = settings.withDevelopmentDefault("AUTH_DISPATCHER_CLIENTS", DEV_DISPATCHER_CLIENTS);
  const dispatcherClients = settings.parsed(() => parseDispatcherClients(clientsRaw, containerClientId), []);
  if (settings.string("AUTH_DISPATCHER_CLIENTS") !== undefined) for (const client of dispatcherClients) settings.checkSecret(`AUTH_DISPATCHER_CLIENTS secret of ${client.id}`, client.secret);

  const adminRaw = settings.withDevelopmentDefault("AUTH_ADMIN_TOKEN", undefined);
  const adminToken = adminRaw === undefined ? randomBytes(32).toString("base64url") : settings.parsed(() => parseAdminToken(adminRaw), "");
  settings.checkSecret("AUTH_ADMIN_TOKEN", adminRaw);

  const keysFile = settings.withDevelopmentDefault("AUTH_SIGNING_KEYS_FILE", undefined);
  const secretsRaw = settings.withDevelopmentDefault("AUTH_TOKEN_SECRET", undefined);
  const tokenSecrets = secretsRaw === undefined ? [randomBytes(32).toString("base64url")] : settings.parsed(() => parseTokenSecrets(secretsRaw), []);
  if (secretsRaw !== undefined) {
    for (const [index, secret] of tokenSecrets.entries()) settings.checkSecret(`AUTH_TOKEN_SECRET secret ${index + 1}`, secret);
  }

  // `redis: null` / `redisUrl: null` ask for the in-memory store: a development default like no Redis setting.
  const redis = readRedisSettings(settings, env, input);
  const prefix = input.prefix ?? env.REDIS_PREFIX ?? "gt:";
  if (prefix.length === 0 || prefix.length > 64 || /\s/.test(prefix)) settings.problem("REDIS_PREFIX must be 1-64 characters without spaces");
  const auditMaxEntries = settings.parsed(() => parseAuditMaxEntries(settings.string("AUTH_AUDIT_MAX_ENTRIES")), DEFAULT_AUDIT_MAX_ENTRIES);
  const replicaWait: ReplicaWaitSettings = {
    replicas: settings.parsed(() => parseWaitReplicas(settings.string("AUTH_REDIS_WAIT_REPLICAS")), REPLICA_WAIT_OFF.replicas),
    timeoutMs: settings.parsed(() => parseWaitTimeoutMs(settings.string("AUTH_REDIS_WAIT_TIMEOUT_MS")), REPLICA_WAIT_OFF.timeoutMs),
  };
  if (replicaWait.replicas > 0 && redis === null) settings.problem("AUTH_REDIS_WAIT_REPLICAS needs Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS): the in-memory store has no replicas");
  const host = input.host ?? settings.host("AUTH_HOST");
  const port = input.port ?? settings.port("AUTH_PORT", 4000);
  const tls = settings.tls("AUTH");
  const logLevel = settings.logLevel();
  settings.done();

  return {
    host,
    port,
    tls,
    logLevel,
    issuerConfigured: settings.string("AUTH_ISSUER") !== undefined || input.policyOverrides?.issuer !== undefined,
    policy,
    dispatcherClients,
    containerClientId,
    adminToken,
    signingKeys: keysFile ? await loadSigningKeysFile(keysFile) : await generateSigningKeys(),
    signingKeysFile: keysFile ?? null,
    auditMaxEntries,
    replicaWait,
    tokenSecrets,
    redis,
    prefix,
    developmentDefaults: [...settings.developmentDefaults],
  };
}
