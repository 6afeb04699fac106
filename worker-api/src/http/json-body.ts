import type { Context, Next } from "koa";
import { sendError } from "./respond.js";

declare module "koa" {
  interface DefaultState {
    body?: Record<string, unknown>;
  }
}

class BodyTooLarge extends Error {}

async function readLimited(ctx: Context, maxBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get("content-length") || "0");
  if (declared > maxBytes) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of ctx.req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Bodies are JSON objects (DESIGN.md worker-api): anything else is a 400, a body over
 * the limit a 413. The parsed object lands in `ctx.state.body`.
 */
export function jsonObjectBody(maxBytes: number) {
  return async function jsonObjectBodyMiddleware(ctx: Context, next: Next): Promise<void> {
    if (!ctx.is("application/json")) {
      sendError(ctx, 400, "invalid_request", "the body must be application/json");
      return;
    }
    let raw: Buffer;
    try {
      raw = await readLimited(ctx, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) sendError(ctx, 413, "invalid_request", "the body is too large");
      else sendError(ctx, 400, "invalid_request", "the body could not be read");
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      sendError(ctx, 400, "invalid_request", "the body is not valid JSON");
      return;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      sendError(ctx, 400, "invalid_request", "the body must be a JSON object");
      return;
    }
    ctx.state.body = parsed as Record<string, unknown>;
    await next();
  };
}
