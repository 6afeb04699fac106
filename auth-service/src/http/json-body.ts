import type { AuthContext } from "./state.js";
import { MAX_BODY_BYTES, readBody } from "./form-body.js";

/** Reads a JSON object body (admin API); `undefined` when it is not one. Over 16 KiB throws invalid_request. */
export async function readJsonObject(ctx: AuthContext): Promise<Record<string, unknown> | undefined> {
  const type = (ctx.get("content-type").split(";")[0] ?? "").trim().toLowerCase();
  if (type !== "application/json") {
    ctx.req.resume();
    return undefined;
  }
  const body = await readBody(ctx.req, MAX_BODY_BYTES);
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
