import type { Context } from "koa";
import { InvalidRequestError } from "../errors.js";

const MAX_BODY_BYTES = 512 * 1024;

/** Reads a JSON request body (Content-Type application/json, at most 512 KiB); anything else is a 400. */
export async function readJsonBody(ctx: Context): Promise<unknown> {
  if (!ctx.is("application/json")) throw new InvalidRequestError("Content-Type must be application/json");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new InvalidRequestError(`body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (cause) {
    throw new InvalidRequestError("body is not valid JSON", { cause });
  }
}
