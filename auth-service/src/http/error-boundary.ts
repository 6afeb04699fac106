import { errorAnswer, errorSummary } from "@gastown/service-kit";
import type { AuthMiddleware } from "./state.js";

/**
 * Turns errors into answers by service-kit's one rule (`errorAnswer`): exposed errors
 * (the OAuth errors, RFC 6749 §5.2, and the kit's body errors) go out with their status,
 * code and description; anything else is a bare `server_error` 500 (its detail is
 * logged, never serialised). An error's own headers go with it (invalid_client: its
 * Basic challenge, errors.ts).
 */
export const errorBoundary: AuthMiddleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    const answer = errorAnswer(error);
    if (!answer.exposed) ctx.state.provider.logger.error({ err: errorSummary(error) }, "unexpected error");
    ctx.status = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value);
    ctx.body = answer.body;
  }
};
