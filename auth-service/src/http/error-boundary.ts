import { errorAnswer, errorSummary } from "@gastown/service-kit";
import { InvalidClientError } from "../errors.js";
import type { AuthMiddleware } from "./state.js";

/**
 * Turns errors into answers by service-kit's one rule (`errorAnswer`): exposed errors
 * (the OAuth errors, RFC 6749 §5.2, and the kit's body errors) go out with their status,
 * code and description; anything else is a bare `server_error` 500 (its detail is
 * logged, never serialised). invalid_client gets 401 and a Basic challenge.
 */
export const errorBoundary: AuthMiddleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    const answer = errorAnswer(error);
    if (!answer.exposed) ctx.state.provider.logger.error({ err: errorSummary(error) }, "unexpected error");
    ctx.status = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value);
    if (error instanceof InvalidClientError) ctx.set("WWW-Authenticate", 'Basic realm="gastown", charset="UTF-8"');
    ctx.body = answer.body;
  }
};
