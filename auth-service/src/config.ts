import { randomBytes } from "node:crypto";
import { DEFAULT_CONTAINER_CLIENT_ID, loadPolicy, type PolicyOverrides, PolicyConfigError, type TokenPolicy } from "@gastown/token-policy";
import { AuthConfigError } from "./errors.js";
import { generateSigningKeys, loadSigningKeysFile, type SigningKeys } from "./keys/signing-keys.js";

/**
 * Every setting of the auth-service, read once at start (DESIGN.md "Settings").
 *
 * | setting | what | default |
 * | --- | --- | --- |
 * | AUTH_PORT | listen port (0 = ephemeral) | 4000 |
 * | AUTH_ISSUER, AUTH_AUDIENCE, GASTOWN_* | the token policy (token-policy's loadPolicy) | see token-policy |
 * | AUTH_DISPATCHER_CLIENTS | `id:secret,...` confidential dispatcher clients | dev: `worker:dev-worker-secret` |
 * | AUTH_ADMIN_TOKEN | Bearer credential of /admin (>= 16 chars) | dev: generated, printed once |
 * | AUTH_SIGNING_KEYS_FILE | JWK Set with private keys; the first not marked `"gastown_status": "published"` signs, all are published; reloaded on SIGHUP | dev: an ES256 key generated at start |
 * | AUTH_TOKEN_SECRET | refresh token MAC secrets, comma-separated, >= 32 chars each; first makes tokens | dev: generated at start |
 * | REDIS_URL | the session store; unset = in-memory | dev: in-memory |
 * | REDIS_PREFIX | key and channel prefix | `gt:` |
 * | AUTH_AUDIT_MAX_ENTRIES | bound of the audit trail (Redis stream `<prefix>audit`, or memory) | 50000 |
 *
 * With NODE_ENV=production every development default is refused, naming the settings.
 */
export interface DispatcherClient {
  id: string;
  secret: string;
}

export interface AuthConfig {
  port: number;
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
  /** First makes refresh tokens, all are accepted. */
  tokenSecrets: string[];
  redisUrl: string | null;
  prefix: string;
  /** Development defaults in use (empty in production). */
  developmentDefaults: string[];
  /** Set when the admin token was generated (to print once at start). */
  generatedAdminToken: string | null;
}

export interface ConfigInput {
  env?: NodeJS.ProcessEnv;
  policyOverrides?: PolicyOverrides;
  redisUrl?: string | null;
  prefix?: string;
  port?: number;
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MIN_SECRET_LENGTH = 32;
const MIN_ADMIN_TOKEN_LENGTH = 16;
const DEFAULT_AUDIT_MAX_ENTRIES = 50_000;

function parseAuditMaxEntries(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_AUDIT_MAX_ENTRIES;
  if (!/^[0-9]{1,8}$/.test(raw) || Number(raw) < 10) throw new AuthConfigError(`AUTH_AUDIT_MAX_ENTRIES must be a whole number 10-99999999, got ${JSON.stringify(raw.slice(0, 32))}`);
  return Number(raw);
}

function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function parsePort(raw: string | number): number {
  const text = String(raw).trim();
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new AuthConfigError(`AUTH_PORT must be a port number 0-65535, got ${JSON.stringify(text)}`);
  return Number(text);
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

function parseRedisUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol === "redis:" || url.protocol === "rediss:") return raw;
  } catch {
    // fall through to the error below
  }
  throw new AuthConfigError("REDIS_URL must be a redis:// or rediss:// URL");
}

/** Reads and checks every setting; throws AuthConfigError (or PolicyConfigError) on the first bad one. */
export async function loadAuthConfig(input: ConfigInput = {}): Promise<AuthConfig> {
  const env = input.env ?? process.env;
  const production = env.NODE_ENV === "production";
  const containerClientId = DEFAULT_CONTAINER_CLIENT_ID;
  let policy: TokenPolicy;
  try {
    policy = loadPolicy(env, input.policyOverrides ?? {});
  } catch (error) {
    if (error instanceof PolicyConfigError) throw error;
    throw new AuthConfigError("cannot load the token policy", { cause: error });
  }

  const redisSetting = input.redisUrl === undefined ? setting(env, "REDIS_URL") : (input.redisUrl ?? undefined);
  const clientsSetting = setting(env, "AUTH_DISPATCHER_CLIENTS");
  const adminSetting = setting(env, "AUTH_ADMIN_TOKEN");
  const keysSetting = setting(env, "AUTH_SIGNING_KEYS_FILE");
  const secretSetting = setting(env, "AUTH_TOKEN_SECRET");
  const missing = Object.entries({
    AUTH_DISPATCHER_CLIENTS: clientsSetting,
    AUTH_ADMIN_TOKEN: adminSetting,
    AUTH_SIGNING_KEYS_FILE: keysSetting,
    AUTH_TOKEN_SECRET: secretSetting,
    REDIS_URL: redisSetting,
  })
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (production && missing.length > 0) {
    throw new AuthConfigError(`NODE_ENV=production: refusing to start with development defaults; missing setting(s): ${missing.join(", ")}`);
  }

  if (adminSetting !== undefined && adminSetting.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new AuthConfigError(`AUTH_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  const prefix = input.prefix ?? env.REDIS_PREFIX ?? "gt:";
  if (prefix.length === 0 || prefix.length > 64 || /\s/.test(prefix)) throw new AuthConfigError("REDIS_PREFIX must be 1-64 characters without spaces");
  const generatedAdminToken = adminSetting === undefined ? randomBytes(32).toString("base64url") : null;

  return {
    port: parsePort(input.port ?? setting(env, "AUTH_PORT") ?? 4000),
    issuerConfigured: setting(env, "AUTH_ISSUER") !== undefined || input.policyOverrides?.issuer !== undefined,
    policy,
    dispatcherClients: parseDispatcherClients(clientsSetting ?? "worker:dev-worker-secret", containerClientId),
    containerClientId,
    adminToken: adminSetting ?? generatedAdminToken!,
    signingKeys: keysSetting ? await loadSigningKeysFile(keysSetting) : await generateSigningKeys(),
    signingKeysFile: keysSetting ?? null,
    auditMaxEntries: parseAuditMaxEntries(setting(env, "AUTH_AUDIT_MAX_ENTRIES")),
    tokenSecrets: secretSetting ? parseTokenSecrets(secretSetting) : [randomBytes(32).toString("base64url")],
    redisUrl: redisSetting === undefined ? null : parseRedisUrl(redisSetting),
    prefix,
    developmentDefaults: missing,
    generatedAdminToken,
  };
}
