import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import { redactSecrets } from "./redact.js";

export interface LoggerSettings {
  /** The service's name (`name` on every line). */
  name: string;
  /** A pino level (see `parseLogLevel`); default info. */
  level?: string;
  /** Where lines go (tests capture them); default stdout. */
  destination?: DestinationStream;
}

/**
 * The logger of a service: pino, JSON lines, every secret-named field redacted
 * (`SECRET_FIELD_NAMES`, one list for every service) as a second line of defence: code
 * logs session ids, never tokens.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = { name: settings.name, level: settings.level ?? "info", formatters: { log: redactSecrets } };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

export type { Logger };
