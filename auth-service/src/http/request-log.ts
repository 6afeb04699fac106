import type { AuthMiddleware } from "./state.js";

/**
 * One log line per request: method, path, status, duration, client and session id
 * when known. Never headers, bodies or query strings (tokens and secrets live there).
 */
export const requestLog: AuthMiddleware = async (ctx, next) => {
  // Nothing to time or build when the line would be dropped (log level above info).
  if (!ctx.state.provider.logger.isLevelEnabled("info")) {
    await next();
    return;
  }
  const started = performance.now();
  try {
    await next();
  } finally {
    ctx.state.provider.logger.info(
      {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        client_id: ctx.state.client?.id,
        sid: ctx.state.sessionId,
      },
      "request",
    );
  }
};
