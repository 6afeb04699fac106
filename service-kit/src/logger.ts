import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

/**
 * Every field name that holds, or might hold, a secret anywhere in the services: tokens
 * (OAuth and our own), client secrets, static credentials under each name the code uses,
 * headers that carry credentials. Redacted at the top level and one level down, as a
 * second line of defence: code logs session ids, never tokens.
 */
const SECRET_FIELDS = [
  "token",
  "tokens",
  "access_token",
  "refresh_token",
  "accessToken",
  "refreshToken",
  "id_token",
  "client_secret",
  "clientSecret",
  "secret",
  "secrets",
  "tokenSecret",
  "tokenSecrets",
  "password",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "adminToken",
  "operatorToken",
  "controlToken",
  "containerControlToken",
  "privateKey",
];

const HEADER_FIELDS = ["authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"];

/** `.name`, or `["name"]` when the name is not an identifier (fast-redact path syntax). */
function member(field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `["${field}"]`;
}

/** The one redact list (pino paths) of every service's logger. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  ...HEADER_FIELDS.flatMap((field) => ["headers", "*.headers", "req.headers", "res.headers"].map((parent) => `${parent}${member(field)}`)),
];

export interface LoggerSettings {
  /** The service's name (`name` on every line). */
  name: string;
  /** A pino level (see `logLevel`); default info. */
  level?: string;
  /** Where lines go (tests capture them); default stdout. */
  destination?: DestinationStream;
}

/** The logger of a service: pino, JSON lines, the one redact list. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = { name: settings.name, level: settings.level ?? "info", redact: { paths: [...REDACT_PATHS], censor: "[redacted]" } };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

export type { Logger };
