import { pino, type Logger } from "pino";

/** pino with every token-bearing field redacted, as a second line of defence: code logs session ids, never tokens. */
export function createLogger(level = "info"): Logger {
  return pino({
    name: "container-client",
    level,
    redact: {
      paths: ["access_token", "refresh_token", "tokens", "authorization", "*.access_token", "*.refresh_token", "*.tokens", "*.authorization", "headers.authorization"],
      censor: "[redacted]",
    },
  });
}
