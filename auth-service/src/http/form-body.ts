import type { IncomingMessage } from "node:http";
import { BodyTooLargeError, MalformedBodyError, readBody } from "@gastown/service-kit";
import { InvalidRequestError, quoted } from "../errors.js";
import { FormParams } from "./form-params.js";
import type { AuthMiddleware } from "./state.js";

/** DESIGN.md: a body over 16 KiB is invalid_request (400), never a 500. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Stateless between calls (no `stream` option), so one decoder serves every request. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

function decode(part: string): string {
  // Most names and values (token characters) carry no escapes at all.
  if (!part.includes("%") && !part.includes("+")) return part;
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    throw new InvalidRequestError("the request body is not valid form encoding");
  }
}

/** RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included more than once." */
export function parseForm(text: string): FormParams {
  const values = new Map<string, string>();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? "" : decode(pair.slice(equals + 1));
    if (values.has(name)) throw new InvalidRequestError(`parameter ${quoted(name)} is included more than once`);
    values.set(name, value);
  }
  return new FormParams(values);
}

/**
 * The body of an OAuth request, by service-kit's limit rule; but DESIGN.md has the
 * token, revocation and introspection endpoints answer every unreadable or oversized
 * body as invalid_request (400), so the kit's 413 / 400 become InvalidRequestError.
 */
async function readOAuthBody(req: IncomingMessage): Promise<Buffer> {
  try {
    return await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new InvalidRequestError(`the request body is larger than ${MAX_BODY_BYTES / 1024} KiB`, { cause: error });
    if (error instanceof MalformedBodyError) throw new InvalidRequestError("the request body could not be read", { cause: error });
    throw error;
  }
}

function mediaType(header: string | undefined): { type: string; charset: string | undefined } {
  const [type = "", ...params] = (header ?? "").split(";");
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith("charset="))
    ?.slice("charset=".length)
    .replace(/"/g, "");
  return { type: type.trim().toLowerCase(), charset };
}

/** RFC 6749 §3.2: token (and revocation, introspection) requests are form-encoded POSTs. */
export const parseFormBody: AuthMiddleware = async (ctx, next) => {
  const { type, charset } = mediaType(ctx.get("content-type") || undefined);
  if (type !== "application/x-www-form-urlencoded") {
    ctx.req.resume();
    throw new InvalidRequestError("the request body must be application/x-www-form-urlencoded");
  }
  if (charset !== undefined && charset !== "utf-8") {
    ctx.req.resume();
    throw new InvalidRequestError("the request body must be UTF-8");
  }
  const body = await readOAuthBody(ctx.req);
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new InvalidRequestError("the request body is not valid UTF-8");
  }
  ctx.state.params = parseForm(text);
  await next();
};
