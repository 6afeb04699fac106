import type { Context } from "koa";
import { bearerChallenge } from "../auth/challenge.js";

/** RFC 6750 §3: a request with no credentials gets the bare challenge, no error code. */
export const BARE_CHALLENGE = bearerChallenge();
/** RFC 6750 §3.1: an invalid, expired or revoked token. */
export const INVALID_TOKEN_CHALLENGE = bearerChallenge({ error: "invalid_token" });

export function sendError(ctx: Context, status: number, error: string, description?: string): void {
  ctx.status = status;
  ctx.set("cache-control", "no-store");
  ctx.body = description === undefined ? { error } : { error, error_description: description };
}

export function unauthorized(ctx: Context, challenge: string, error: string, description?: string): void {
  ctx.set("www-authenticate", challenge);
  sendError(ctx, 401, error, description);
}

/** RFC 6750 §3.1: insufficient_scope is a 403 naming the scope needed. */
export function insufficientScope(ctx: Context, scope: string): void {
  ctx.set("www-authenticate", bearerChallenge({ error: "insufficient_scope", scope }));
  sendError(ctx, 403, "insufficient_scope", `this route needs the ${scope} scope`);
}

export function forbidden(ctx: Context, description: string): void {
  sendError(ctx, 403, "forbidden", description);
}
