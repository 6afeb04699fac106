import { isId, isRole } from "@gastown/token-policy";
import { InvalidRequestError, UnauthorizedClientError } from "../errors.js";
import type { AuthContext } from "../http/state.js";
import { newSessionId } from "../tokens/refresh-token.js";
import type { TokenResponse } from "./grant.js";
import { dispatchScope } from "./scope.js";
import { tokenResponse } from "./token-response.js";

/**
 * The dispatch grant (an RFC 6749 §4.5 extension grant): a confidential dispatcher
 * client starts one session ("family") for one agent. The session belongs to the
 * public container client, which refreshes it from then on.
 */
export const grantType = "urn:gastown:params:oauth:grant-type:agent-dispatch";

export const parameters: ReadonlySet<string> = new Set(["agent_id", "town_id", "user_id", "role", "rig_id", "scope"]);

function id(ctx: AuthContext, name: string, required: boolean): string | undefined {
  const value = ctx.state.params!.get(name);
  if (value === undefined) {
    if (required) throw new InvalidRequestError(`${name} is required`);
    return undefined;
  }
  if (!isId(value)) throw new InvalidRequestError(`${name} is malformed`);
  return value;
}

export async function handler(ctx: AuthContext): Promise<TokenResponse> {
  const { provider, params, client } = ctx.state;
  if (client?.kind !== "dispatcher") throw new UnauthorizedClientError("only dispatcher clients may use the dispatch grant");
  const agentId = id(ctx, "agent_id", true)!;
  const townId = id(ctx, "town_id", true)!;
  const userId = id(ctx, "user_id", true)!;
  const rigId = id(ctx, "rig_id", false) ?? null;
  const role = params!.get("role");
  if (role === undefined) throw new InvalidRequestError("role is required");
  if (!isRole(role)) throw new InvalidRequestError("role is not one of mayor, polecat, refinery, triage");
  const scope = dispatchScope(params!.get("scope"), role);

  const nowMs = provider.clock();
  const sessionId = newSessionId();
  const created = await provider.store.create({
    sessionId,
    agentId,
    rigId,
    townId,
    userId,
    role,
    scope,
    clientId: provider.clients.containerClientId,
    nowMs,
  });
  ctx.state.sessionId = sessionId;
  ctx.state.grantOutcome = "issued";
  provider.audit.record({ event: "issued", session_id: sessionId, agent_id: agentId, town_id: townId, client_id: client.id });
  return tokenResponse(ctx, created.session, { generation: created.session.generation, scope, accessExpiresAt: created.accessExpiresAt, nowMs });
}
