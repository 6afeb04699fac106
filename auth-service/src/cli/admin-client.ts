import { type CliEnvironment, cliEnvironment } from "./config.js";
import { CliError, EXIT } from "./errors.js";
import { readSecretFile } from "./secrets.js";

export interface GlobalOptions {
  url?: string;
  /** A file holding the admin token (`-`: standard input); never the token itself. */
  tokenFile?: string;
  json?: boolean;
}

export const DEFAULT_URL = "http://127.0.0.1:4000";

/** The auth-service base URL: --url, else AUTH_ISSUER, else the local default. */
export function baseUrl(options: GlobalOptions, env: CliEnvironment = cliEnvironment()): string {
  const raw = options.url ?? env.issuer ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw || DEFAULT_URL);
  } catch {
    throw new CliError(`--url / AUTH_ISSUER is not a URL: ${JSON.stringify(raw)}`, EXIT.usage);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError("--url / AUTH_ISSUER must be an http(s) URL", EXIT.usage);
  return url.href.replace(/\/+$/, "");
}

/** --token-file, else AUTH_ADMIN_TOKEN: never a command-line argument (see secrets.ts). */
async function adminToken(options: GlobalOptions, env: CliEnvironment = cliEnvironment()): Promise<string> {
  if (options.tokenFile !== undefined) return readSecretFile(options.tokenFile, "admin token");
  const token = env.adminToken;
  if (!token) throw new CliError("no admin token: set AUTH_ADMIN_TOKEN or pass --token-file <path> (- for standard input)", EXIT.unauthorized);
  return token;
}

/** Maps an HTTP answer that is not 2xx to the CLI's exit codes. */
export function failure(status: number, body: unknown): CliError {
  const detail = body && typeof body === "object" ? ((body as Record<string, unknown>).error_description ?? (body as Record<string, unknown>).error) : undefined;
  const text = typeof detail === "string" ? `: ${detail}` : "";
  if (status === 400) return new CliError(`rejected by the auth-service${text}`, EXIT.usage);
  if (status === 401) return new CliError(`unauthorized${text}`, EXIT.unauthorized);
  if (status === 404) return new CliError(`not found${text}`, EXIT.notFound);
  return new CliError(`the auth-service answered ${status}${text}`, EXIT.unavailable);
}

/** One HTTP call; network failures are exit code 3. */
export async function call(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    const reason = cause?.code ?? cause?.errors?.[0]?.code ?? (cause as { message?: string } | undefined)?.message ?? (error instanceof Error ? error.message : String(error));
    throw new CliError(`cannot reach the auth-service at ${new URL(url).origin} (${reason})`, EXIT.unavailable);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

/** The admin API (`Authorization: Bearer <AUTH_ADMIN_TOKEN>`); answers the JSON body of a 2xx. */
export async function admin<T>(options: GlobalOptions, method: "GET" | "POST" | "DELETE", path: string, json?: unknown): Promise<T> {
  const token = await adminToken(options);
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const { status, body } = await call(`${baseUrl(options)}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  if (status < 200 || status > 299) throw failure(status, body);
  return body as T;
}
