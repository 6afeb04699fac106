import { isId } from "@gastown/token-policy";
import { InvalidRequestError, quoted } from "../errors.js";
import type { AuthContext, AuthMiddleware } from "../http/state.js";
import { StoreError } from "../store/errors.js";
import type { SessionFilter, SessionPage } from "../store/types.js";
import { isSessionId } from "../tokens/token-strategies.js";
import { sessionJson } from "./session-json.js";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const MAX_CURSOR_LENGTH = 512;

/** Query name -> store filter field. */
export const FILTERS = { agent_id: "agentId", rig_id: "rigId", town_id: "townId", user_id: "userId" } as const satisfies Record<string, keyof SessionFilter>;

/** Answered by the error boundary as `{error: "invalid_request", error_description}` (400). */
function badRequest(_ctx: AuthContext, description: string): never {
  throw new InvalidRequestError(description);
}

function notFound(ctx: AuthContext): void {
  ctx.status = 404;
  ctx.body = { error: "not_found" };
}

/** GET /admin/sessions?agent_id=&rig_id=&town_id=&user_id=&limit=&cursor= */
export const listSessions: AuthMiddleware = async function listSessions(ctx) {
  const query = new URLSearchParams(ctx.querystring);
  const filter: SessionFilter = {};
  let limit = DEFAULT_LIMIT;
  let cursor: string | null = null;
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    if (values.length > 1) return badRequest(ctx, `parameter ${quoted(name)} is repeated`);
    const value = values[0]!;
    if (name in FILTERS) {
      if (value === "") continue;
      if (!isId(value)) return badRequest(ctx, `${name} is malformed`);
      filter[FILTERS[name as keyof typeof FILTERS]] = value;
    } else if (name === "limit") {
      if (!/^[1-9][0-9]{0,6}$/.test(value) || Number(value) > MAX_LIMIT) return badRequest(ctx, `limit must be 1-${MAX_LIMIT}`);
      limit = Number(value);
    } else if (name === "cursor") {
      if (value === "") continue;
      if (value.length > MAX_CURSOR_LENGTH) return badRequest(ctx, "cursor is malformed");
      cursor = value;
    } else {
      return badRequest(ctx, `unknown parameter ${quoted(name)}`);
    }
  }
  let page: SessionPage;
  try {
    page = await ctx.state.provider.store.list(filter, limit, cursor, ctx.state.provider.clock());
  } catch (error) {
    if (error instanceof StoreError && error.code === "ERR_STORE_INVALID_CURSOR") return badRequest(ctx, "cursor is malformed");
    throw error;
  }
  ctx.body = { sessions: page.sessions.map(sessionJson), next_cursor: page.nextCursor };
};

/** GET /admin/sessions/:sessionId */
export const readSession: AuthMiddleware = async function readSession(ctx) {
  const sessionId = (ctx as AuthContext & { params: Record<string, string> }).params.sessionId;
  const { store, clock } = ctx.state.provider;
  const session = isSessionId(sessionId) ? await store.get(sessionId, clock()) : undefined;
  if (!session) return notFound(ctx);
  ctx.state.sessionId = session.sessionId;
  ctx.body = sessionJson(session);
};

/** DELETE /admin/sessions/:sessionId revokes one: `{"revoked": 0|1}`, 404 when unknown. */
export const deleteSession: AuthMiddleware = async function deleteSession(ctx) {
  const sessionId = (ctx as AuthContext & { params: Record<string, string> }).params.sessionId;
  const { store, clock } = ctx.state.provider;
  if (!isSessionId(sessionId)) return notFound(ctx);
  const result = await store.revoke(sessionId, "admin", clock());
  if (!result.known) return notFound(ctx);
  ctx.state.sessionId = sessionId;
  ctx.body = { revoked: result.revoked ? 1 : 0 };
};
