import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair } from "jose";

/** The dispatcher client the bench dispatches with. */
export interface BenchDispatcher {
  id: string;
  secret: string;
}

/**
 * A complete production-style environment for the auth-service (no development default:
 * an ES256 signing key file, random secrets, the given Redis): what a user deploys.
 * LOG_LEVEL is left unset unless `logLevel` is given, so the service logs at its default.
 * The key file lives in `dir` (the caller removes it).
 */
export async function authServiceEnv(options: { redisUrl: string; prefix: string; port: number; logLevel?: string }): Promise<{ env: NodeJS.ProcessEnv; dispatcher: BenchDispatcher; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "gt-bench-auth-"));
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const keysFile = join(dir, "signing-keys.json");
  writeFileSync(keysFile, JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: "bench-1", alg: "ES256", use: "sig" }] }), { mode: 0o600 });
  const random = () => randomBytes(32).toString("base64url");
  const dispatcher = { id: "bench-dispatcher", secret: random() };
  const env: NodeJS.ProcessEnv = {
    AUTH_HOST: "127.0.0.1",
    AUTH_PORT: String(options.port),
    AUTH_ISSUER: `http://127.0.0.1:${options.port}`,
    AUTH_DISPATCHER_CLIENTS: `${dispatcher.id}:${dispatcher.secret}`,
    AUTH_ADMIN_TOKEN: random(),
    AUTH_TOKEN_SECRET: random(),
    AUTH_SIGNING_KEYS_FILE: keysFile,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.prefix,
    ...(options.logLevel === undefined ? {} : { LOG_LEVEL: options.logLevel }),
  };
  return { env, dispatcher, dir };
}
