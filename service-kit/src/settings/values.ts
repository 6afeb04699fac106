import { isIP } from "node:net";

/** A port number 0-65535 (0: an ephemeral port). */
export function parsePort(name: string, raw: string): number {
  const text = raw.trim();
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new RangeError(`${name} must be a port number 0-65535, got ${JSON.stringify(text.slice(0, 32))}`);
  return Number(text);
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A listen address: an IPv4 or IPv6 address or a host name (`[::]` brackets allowed). */
export function parseHost(name: string, raw: string): string {
  const host = raw.trim().replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) === 0 && !HOSTNAME.test(host)) throw new RangeError(`${name} must be an IP address or a host name, got ${JSON.stringify(raw.slice(0, 64))}`);
  return host;
}

/** An absolute http(s) URL, trailing slashes removed. */
export function parseHttpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RangeError(`${name} must be an absolute URL, got ${JSON.stringify(raw.slice(0, 128))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new RangeError(`${name} must be an http(s) URL, got ${JSON.stringify(raw.slice(0, 128))}`);
  return raw.replace(/\/+$/, "");
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** `LOG_LEVEL`: one of pino's levels. */
export function parseLogLevel(raw: string): string {
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new RangeError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(raw.slice(0, 32))}`);
  return level;
}

/** The URL at which a server listening on `host:port` is reached (a wildcard address reads as loopback). */
export function listenUrl(host: string, port: number, scheme: "http" | "https" = "http"): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `${scheme}://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}
