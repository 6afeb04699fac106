import { type AccessTokenClaims, hasScope, type Scope } from "@gastown/token-policy";
import type { Context, Next } from "koa";
import { ForbiddenError, InsufficientScopeError } from "../errors.js";

/**
 * Route binding (DESIGN.md worker-api): the route's agent, rig and town must equal the
 * verified token's; nothing the caller declares in a header or body counts.
 */
export type Binding =
  /** `/towns/:townId/rigs/:rigId/agents/:agentId/...`: that rig agent only. */
  | "rig-agent"
  /** `/towns/:townId/agents/:agentId/...`: that town-level agent only (a rig agent is 403). */
  | "town-agent"
  /** `/towns/:townId/rigs/:rigId/...` with no agent in the route: agents of that rig. */
  | "rig-member"
  /** `/mayor/:townId/tools/:tool`: a town-level token of that town with the mayor scope. */
  | "mayor";

/**
 * The scope each kind of route needs (DESIGN.md "Scopes"): agent callbacks the `agent` scope,
 * mayor tools the `mayor` scope. A token narrowed at refresh to `mayor` alone is no agent
 * token: RFC 6750 §3.1 insufficient_scope (403).
 */
const REQUIRED_SCOPE: Readonly<Record<Binding, Scope>> = {
  "rig-agent": "agent",
  "town-agent": "agent",
  "rig-member": "agent",
  mayor: "mayor",
};

function mismatch(claims: AccessTokenClaims, params: Record<string, string>, binding: Binding): string | undefined {
  if (params.townId !== claims.town_id) return "the token belongs to another town";
  switch (binding) {
    case "rig-agent":
      if (params.rigId !== claims.rig_id) return "the token belongs to another rig";
      if (params.agentId !== claims.agent_id) return "the token belongs to another agent";
      return undefined;
    case "town-agent":
      if (claims.rig_id !== undefined) return "a rig agent cannot use a town-level route";
      if (params.agentId !== claims.agent_id) return "the token belongs to another agent";
      return undefined;
    case "rig-member":
      if (params.rigId !== claims.rig_id) return "the token belongs to another rig";
      return undefined;
    case "mayor":
      if (claims.rig_id !== undefined) return "a rig agent cannot use mayor tools";
      return undefined;
  }
}

export function bindRoute(binding: Binding) {
  return async function bindRouteMiddleware(ctx: Context & { params?: Record<string, string> }, next: Next): Promise<void> {
    const claims = ctx.state.claims;
    if (!claims) throw new Error("bindRoute runs after authenticate");
    const reason = mismatch(claims, ctx.params ?? {}, binding);
    if (reason !== undefined) {
      ctx.state.authOutcome = "forbidden";
      throw new ForbiddenError(reason);
    }
    const scope = REQUIRED_SCOPE[binding];
    if (!hasScope(claims.scope, scope)) {
      ctx.state.authOutcome = "insufficient_scope";
      throw new InsufficientScopeError(scope);
    }
    await next();
  };
}
