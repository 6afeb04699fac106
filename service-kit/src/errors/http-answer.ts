import { isRedisUnavailable } from "../redis/unavailable.js";
import { ServiceError } from "./service-error.js";

/** What an error becomes on the wire. */
export interface ErrorAnswer {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: { error: string; error_description?: string };
  /** False: a server error; log it (its detail is not in the answer). */
  exposed: boolean;
}

/** Wire codes for exposed errors that do not name one (Koa's `ctx.throw`, http-errors). */
const ERROR_BY_STATUS: Readonly<Record<number, string>> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "invalid_request",
  415: "invalid_request",
  429: "too_many_requests",
};

interface HttpErrorLike {
  status: number;
  expose: boolean;
  message: string;
  error?: unknown;
  headers?: unknown;
}

function isHttpErrorLike(error: unknown): error is HttpErrorLike {
  if (!(error instanceof Error)) return false;
  const { status, expose } = error as Partial<HttpErrorLike>;
  return typeof status === "number" && Number.isInteger(status) && status >= 400 && status < 600 && expose === true;
}

function stringHeaders(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/**
 * The one error-to-HTTP rule of every service: an exposed error (a `ServiceError` with
 * `status < 500`, or any error carrying `status` and `expose: true` such as Koa's
 * `ctx.throw(404)`) answers its status, headers and `{error, error_description}`. An
 * unexposed `ServiceError` (a 502 from an upstream, a 503 with `Retry-After`) answers its
 * status, headers and bare wire code, never its message; a Redis that cannot serve now
 * (`isRedisUnavailable`) answers 503 `temporarily_unavailable` with `Retry-After: 1`
 * (RFC 9110 §15.6.4, §10.2.3); anything else answers a bare `{"error": "server_error"}`
 * 500. Only exposed answers skip the log.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof ServiceError ? error.expose : isHttpErrorLike(error)) {
    const known = error as HttpErrorLike;
    const code = typeof known.error === "string" ? known.error : (ERROR_BY_STATUS[known.status] ?? "invalid_request");
    return { status: known.status, headers: stringHeaders(known.headers), body: { error: code, error_description: known.message }, exposed: true };
  }
  if (error instanceof ServiceError) return { status: error.status, headers: error.headers, body: { error: error.error }, exposed: false };
  if (isRedisUnavailable(error)) return { status: 503, headers: RETRY_SOON, body: { error: "temporarily_unavailable" }, exposed: false };
  return { status: 500, headers: {}, body: { error: "server_error" }, exposed: false };
}

const RETRY_SOON: Readonly<Record<string, string>> = { "Retry-After": "1" };

/** What a log line may say about an unexposed error: never the whole object (it may hold a request). */
export function errorSummary(error: unknown): { name: string; message: string; code?: string } {
  if (!(error instanceof Error)) return { name: "NonError", message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { name: error.name, message: error.message, code } : { name: error.name, message: error.message };
}
