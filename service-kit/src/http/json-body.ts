import type { Context } from "koa";
import { MalformedBodyError, UnsupportedMediaTypeError } from "../errors/kit-errors.js";
import { readBody } from "./read-body.js";

/** Largest JSON body a route takes unless it says otherwise. */
export const DEFAULT_JSON_LIMIT_BYTES = 256 * 1024;

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** `type/subtype` of a Content-Type header, lower-cased, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * The one JSON body reader: the request must be `application/json` (else 415,
 * RFC 9110 §15.5.16), at most `limitBytes` (else 413), UTF-8 JSON holding an object
 * (else 400). Throws the kit's errors; `errorMiddleware` answers them.
 */
export async function readJsonObject(ctx: Context, limitBytes: number = DEFAULT_JSON_LIMIT_BYTES): Promise<Record<string, unknown>> {
  if (mediaType(ctx.get("content-type")) !== "application/json") {
    ctx.req.resume();
    throw new UnsupportedMediaTypeError("the request body must be application/json");
  }
  const raw = await readBody(ctx.req, limitBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(raw));
  } catch (cause) {
    throw new MalformedBodyError("the request body is not valid JSON (UTF-8)", { cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new MalformedBodyError("the request body must be a JSON object");
  return parsed as Record<string, unknown>;
}
