import { type DestinationStream, type Logger, pino } from "pino";

/** Paths redacted even if some code ever logs a request, body or error with them. */
export const REDACT_PATHS = [
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "refresh_token",
  "*.refresh_token",
  "client_secret",
  "*.client_secret",
  "secret",
  "*.secret",
  "adminToken",
  "*.adminToken",
];

export function createLogger(level = "info", destination?: DestinationStream): Logger {
  const options = { name: "auth-service", level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  return destination ? pino(options, destination) : pino(options);
}
