import { isId } from "@gastown/token-policy";
import { InvalidRequestError } from "../errors.js";
import { readJsonObject } from "../http/json-body.js";
import type { AuthMiddleware } from "../http/state.js";
import { isSessionId } from "../tokens/token-strategies.js";
import { FILTERS } from "./sessions.js";

const SELECTORS = ["session_id", ...Object.keys(FILTERS)] as const;

/**
 * POST /admin/revocations with exactly one of session_id, agent_id, rig_id, town_id,
 * user_id: revokes every matching session, `{"revoked": n}` counting only live ones.
 */
export const postRevocations: AuthMiddleware = async function postRevocations(ctx) {
  const body = await readJsonObject(ctx);
  const given = SELECTORS.filter((name) => body[name] !== undefined);
  const unknown = Object.keys(body).filter((name) => !(SELECTORS as readonly string[]).includes(name));
  if (given.length !== 1 || unknown.length > 0) {
    throw new InvalidRequestError(`a JSON object with exactly one of ${SELECTORS.join(", ")}`);
  }
  const selector = given[0]!;
  const value = body[selector];
  const { store, clock } = ctx.state.provider;
  if (selector === "session_id") {
    if (typeof value !== "string" || value === "") throw new InvalidRequestError("session_id is malformed");
    const result = isSessionId(value) ? await store.revoke(value, "admin", clock()) : { revoked: false };
    ctx.body = { revoked: result.revoked ? 1 : 0 };
    return;
  }
  if (!isId(value)) throw new InvalidRequestError(`${selector} is malformed`);
  const revoked = await store.revokeWhere({ [FILTERS[selector as keyof typeof FILTERS]]: value }, "admin", clock());
  ctx.body = { revoked };
};
