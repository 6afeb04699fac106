import { InvalidClientError, OAuthError } from "../errors.js";
import type { AuthMiddleware } from "./state.js";

/**
 * Turns errors into RFC 6749 §5.2 responses. Exposed OAuth errors go out with their
 * code and description; anything else is a bare `server_error` 500 (its detail is
 * logged, never serialised). invalid_client gets 401 and a Basic challenge.
 */
export const errorBoundary: AuthMiddleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof OAuthError && error.expose) {
      ctx.status = error.status;
      ctx.body = { error: error.error, error_description: error.error_description };
      if (error instanceof InvalidClientError) ctx.set("WWW-Authenticate", 'Basic realm="gastown", charset="UTF-8"');
      return;
    }
    const { name, message, code } = (error instanceof Error ? error : new Error(String(error))) as Error & { code?: unknown };
    ctx.state.provider.logger.error({ err: { name, message, code } }, "unexpected error");
    ctx.status = 500;
    ctx.body = { error: "server_error" };
  }
};
