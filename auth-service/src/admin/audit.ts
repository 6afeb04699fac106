import { isId } from "@gastown/token-policy";
import type { AuditFilter } from "../audit/types.js";
import { InvalidRequestError, quoted } from "../errors.js";
import type { AuthContext, AuthMiddleware } from "../http/state.js";
import { isSessionId } from "../tokens/token-strategies.js";
import { DEFAULT_LIMIT, MAX_LIMIT } from "./sessions.js";

/** Answered by the error boundary as `{error: "invalid_request", error_description}` (400). */
function badRequest(_ctx: AuthContext, description: string): never {
  throw new InvalidRequestError(description);
}

/**
 * GET /admin/audit?session_id=&agent_id=&town_id=&limit= answers `{"entries": [...]}`,
 * newest first: `{id, ts, event, session_id, agent_id?, town_id?, client_id?, reason?}`.
 * `limit` defaults to 100; over 1000 is a 400.
 */
export const getAudit: AuthMiddleware = async function getAudit(ctx) {
  const query = new URLSearchParams(ctx.querystring);
  const filter: AuditFilter = {};
  let limit = DEFAULT_LIMIT;
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    if (values.length > 1) return badRequest(ctx, `parameter ${quoted(name)} is repeated`);
    const value = values[0]!;
    if (name === "session_id") {
      if (value === "") continue;
      if (!isSessionId(value)) return badRequest(ctx, "session_id is malformed");
      filter.session_id = value;
    } else if (name === "agent_id" || name === "town_id") {
      if (value === "") continue;
      if (!isId(value)) return badRequest(ctx, `${name} is malformed`);
      filter[name] = value;
    } else if (name === "limit") {
      if (!/^[1-9][0-9]{0,6}$/.test(value) || Number(value) > MAX_LIMIT) return badRequest(ctx, `limit must be 1-${MAX_LIMIT}`);
      limit = Number(value);
    } else {
      return badRequest(ctx, `unknown parameter ${quoted(name)}`);
    }
  }
  ctx.body = { entries: await ctx.state.provider.audit.query(filter, limit) };
};
