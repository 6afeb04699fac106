import { readJsonObject as readKitJsonObject } from "@gastown/service-kit";
import { MAX_BODY_BYTES } from "./oauth-request.js";
import type { AuthContext } from "./state.js";

/** Reads the JSON object body of an admin request (service-kit's rule: 415, 413, 400), at most 16 KiB. */
export function readJsonObject(ctx: AuthContext): Promise<Record<string, unknown>> {
  return readKitJsonObject(ctx, MAX_BODY_BYTES);
}
