import { existsSync } from "node:fs";
import type { TlsFiles } from "../http/tls.js";
import { secretProblem } from "./secret-strength.js";
import { parseHost, parseHttpUrl, parseLogLevel, parsePort } from "./values.js";

export interface SettingsReaderOptions {
  /** The service's name, in the refusal message. */
  service: string;
  /** Builds the error `done()` throws (each service has its own config error class). */
  error: (message: string) => Error;
}

/**
 * Reads one service's settings from an environment and applies DESIGN.md "Settings":
 * development-only defaults are used only with `NODE_ENV=development`; otherwise each
 * setting that would need one is recorded as missing, every secret is checked for
 * strength, and `done()` refuses to start with ONE message naming every problem and
 * every missing setting. Bad values are collected the same way (all reported at once).
 */
export class SettingsReader {
  readonly development: boolean;
  readonly #env: NodeJS.ProcessEnv;
  readonly #options: SettingsReaderOptions;
  readonly #missing: string[] = [];
  readonly #problems: string[] = [];
  readonly #developmentDefaults: string[] = [];

  constructor(env: NodeJS.ProcessEnv, options: SettingsReaderOptions) {
    this.#env = env;
    this.#options = options;
    this.development = env.NODE_ENV?.trim() === "development";
  }

  /** The trimmed value, undefined when unset or blank. */
  string(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value ? value : undefined;
  }

  /** Records a bad value (never quote a secret in `message`). */
  problem(message: string): void {
    this.#problems.push(message);
  }

  /** Runs `parse`, recording its error as a problem; `fallback` stands in meanwhile. */
  parsed<T>(parse: () => T, fallback: T): T {
    try {
      return parse();
    } catch (error) {
      this.problem(error instanceof Error ? error.message : String(error));
      return fallback;
    }
  }

  port(name: string, fallback: number): number {
    const raw = this.string(name);
    return raw === undefined ? fallback : this.parsed(() => parsePort(name, raw), fallback);
  }

  /** A listen address (`*_HOST`); default loopback. */
  host(name: string, fallback = "127.0.0.1"): string {
    const raw = this.string(name);
    return raw === undefined ? fallback : this.parsed(() => parseHost(name, raw), fallback);
  }

  /** An http(s) URL without trailing slashes. */
  url(name: string, fallback: string): string {
    return this.parsed(() => parseHttpUrl(name, this.string(name) ?? fallback), fallback);
  }

  /**
   * `<PREFIX>_TLS_CERT_FILE` and `<PREFIX>_TLS_KEY_FILE` (PEM): both set, the service
   * answers HTTPS; neither, plain HTTP (behind a TLS terminator, or in development); one
   * without the other, or a file that is not there, is a problem.
   */
  tls(prefix: string): TlsFiles | undefined {
    const certName = `${prefix}_TLS_CERT_FILE`;
    const keyName = `${prefix}_TLS_KEY_FILE`;
    const certFile = this.string(certName);
    const keyFile = this.string(keyName);
    if (certFile === undefined && keyFile === undefined) return undefined;
    if (certFile === undefined || keyFile === undefined) {
      this.problem(`${certName} and ${keyName} go together (one is set without the other)`);
      return undefined;
    }
    for (const [name, file] of [
      [certName, certFile],
      [keyName, keyFile],
    ] as const) {
      if (!existsSync(file)) this.problem(`${name}: no file at ${file}`);
    }
    return { certFile, keyFile };
  }

  /** `LOG_LEVEL` (a pino level), default info. */
  logLevel(): string {
    const raw = this.string("LOG_LEVEL");
    return raw === undefined ? "info" : this.parsed(() => parseLogLevel(raw), "info");
  }

  /**
   * A setting with a development-only default: its value, else `fallback` in
   * development (listed by `developmentDefaults`), else recorded as missing.
   */
  withDevelopmentDefault<T>(name: string, fallback: T): string | T {
    const value = this.string(name);
    if (value !== undefined) return value;
    this.usesDevelopmentDefault(name);
    return fallback;
  }

  /** `name` takes its development default: listed in development, missing otherwise. */
  usesDevelopmentDefault(name: string): void {
    if (this.development) this.#developmentDefaults.push(name);
    else this.#missing.push(name);
  }

  /** Outside development, `value` must be a strong secret (DESIGN.md "Settings"). */
  checkSecret(name: string, value: string | undefined): void {
    if (this.development || value === undefined) return;
    const problem = secretProblem(name, value);
    if (problem) this.problem(problem);
  }

  /** A secret with a development-only default (`withDevelopmentDefault` + `checkSecret`). */
  secret<T>(name: string, fallback: T): string | T {
    const value = this.withDevelopmentDefault(name, fallback);
    if (this.string(name) !== undefined) this.checkSecret(name, this.string(name));
    return value;
  }

  /** The settings that took their development default (empty outside development). */
  get developmentDefaults(): readonly string[] {
    return this.#developmentDefaults;
  }

  /** Throws one error naming every problem and every missing setting, if any. */
  done(): void {
    if (this.#missing.length === 0 && this.#problems.length === 0) return;
    const parts = [...this.#problems];
    if (this.#missing.length > 0) parts.push(`missing setting(s): ${this.#missing.join(", ")}`);
    const why = this.#missing.length > 0 ? " (development-only defaults are used only with NODE_ENV=development)" : "";
    throw this.#options.error(`${this.#options.service} refuses to start${why}: ${parts.join("; ")}`);
  }
}
