// The service kit: one way for each shared concern across auth-service, worker-api and
// container-client. This file only re-exports.

export { type ErrorAnswer, errorAnswer, errorSummary } from "./errors/http-answer.js";
export { type HttpErrorKinds, httpErrorKinds, type ServiceErrorClass } from "./errors/http-kinds.js";
export { BodyTooLargeError, ConfigError, MalformedBodyError, UnsupportedMediaTypeError } from "./errors/kit-errors.js";
export { ServiceError, type ServiceErrorOptions } from "./errors/service-error.js";
export { type ErrorMiddlewareOptions, errorMiddleware } from "./http/error-middleware.js";
export { DEFAULT_JSON_LIMIT_BYTES, mediaType, readJsonObject } from "./http/json-body.js";
export { type HttpServer, type ListenOptions, listen, type RequestHandler } from "./http/listen.js";
export { readBody } from "./http/read-body.js";
export { DEFAULT_SERVER_BOUNDS, type ServerBounds } from "./http/server-bounds.js";
export { requireStaticBearer, StaticBearer, type StaticBearerCheck, type StaticBearerOptions } from "./http/static-bearer.js";
export type { TlsFiles } from "./http/tls.js";
export { createLogger, type Logger, type LoggerSettings } from "./logger.js";
export { counter, counterBy, gaugeAtScrape, type MetricSpec } from "./metrics/instruments.js";
export { createServiceRegistry, renderMetrics, ServiceMetrics } from "./metrics/registry.js";
export { redactSecrets, SECRET_FIELD_NAMES } from "./redact.js";
export * from "./redis/index.js";
export { isPublishedExample, PUBLISHED_EXAMPLE_VALUES } from "./settings/published-examples.js";
export { MIN_SECRET_LENGTH, secretProblem } from "./settings/secret-strength.js";
export { SettingsReader, type SettingsReaderOptions } from "./settings/settings-reader.js";
export { listenUrl, parseHost, parseHttpUrl, parseLogLevel, parsePort } from "./settings/values.js";
export type { AgentIdentity, ContainerAgentState, ContainerAgentStatus, ContainerSessionStatus } from "./wire/agent.js";
export { AGENT_DISPATCH_GRANT_TYPE, TOKEN_PATH, tokenEndpointUrl } from "./wire/oauth.js";
export type { TokenPair } from "./wire/token-pair.js";
