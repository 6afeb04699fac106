import { type Logger, pino } from "pino";

/** Paths that could ever hold a credential are redacted; tokens are never logged on purpose either. */
const REDACT = [
  "token",
  "tokens",
  "access_token",
  "refresh_token",
  "authorization",
  "headers.authorization",
  "req.headers.authorization",
  "*.access_token",
  "*.refresh_token",
  "*.tokens",
  "clientSecret",
  "operatorToken",
  "containerControlToken",
];

export function createLogger(level = "info"): Logger {
  return pino({ name: "worker-api", level, redact: { paths: REDACT, censor: "[redacted]" } });
}

export type { Logger };
