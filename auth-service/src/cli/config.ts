/**
 * The environment settings the CLI takes (the one place it reads them): its flags win over
 * them, and no secret is ever a flag (secrets.ts).
 */
export interface CliEnvironment {
  /** AUTH_ISSUER: the auth-service base URL. */
  issuer?: string;
  /** AUTH_ADMIN_TOKEN */
  adminToken?: string;
  /** WORKER_CLIENT_ID, WORKER_CLIENT_SECRET: the dispatcher client of `dispatch`. */
  workerClientId?: string;
  workerClientSecret?: string;
}

/** The trimmed values; blank reads as unset. */
export function cliEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  return { issuer: value("AUTH_ISSUER"), adminToken: value("AUTH_ADMIN_TOKEN"), workerClientId: value("WORKER_CLIENT_ID"), workerClientSecret: value("WORKER_CLIENT_SECRET") };
}
