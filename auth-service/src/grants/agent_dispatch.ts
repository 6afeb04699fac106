import { AGENT_DISPATCH_GRANT_TYPE } from "@gastown/service-kit";
import { isId, isRole } from "@gastown/token-policy";
import { InvalidRequestError, UnauthorizedClientError } from "../errors.js";
import type { FormParams } from "../http/oauth-request.js";
import { newSessionId } from "../tokens/token-strategies.js";
import { dispatchScope, type GrantRequest, type GrantResult, tokenResponse } from "./grant.js";

/**
 * The dispatch grant (an RFC 6749 §4.5 extension grant): a confidential dispatcher
 * client starts one session ("family") for one agent. The session belongs to the
 * public container client, which refreshes it from then on.
 */
export const grantType = AGENT_DISPATCH_GRANT_TYPE;

export const parameters: ReadonlySet<string> = new Set(["agent_id", "town_id", "user_id", "role", "rig_id", "scope"]);

/** DESIGN.md "Ids": a malformed or missing required id is invalid_request. */
function requiredId(params: FormParams, name: string): string {
  const value = optionalId(params, name);
  if (value === null) throw new InvalidRequestError(`${name} is required`);
  return value;
}

function optionalId(params: FormParams, name: string): string | null {
  const value = params.get(name);
  if (value === undefined) return null;
  if (!isId(value)) throw new InvalidRequestError(`${name} is malformed`);
  return value;
}

export async function handler({ params, client, provider }: GrantRequest): Promise<GrantResult> {
  if (client.kind !== "dispatcher") throw new UnauthorizedClientError("only dispatcher clients may use the dispatch grant");
  const agentId = requiredId(params, "agent_id");
  const townId = requiredId(params, "town_id");
  const userId = requiredId(params, "user_id");
  const rigId = optionalId(params, "rig_id");
  const role = params.get("role");
  if (role === undefined) throw new InvalidRequestError("role is required");
  if (!isRole(role)) throw new InvalidRequestError("role is not one of mayor, polecat, refinery, triage");
  const scope = dispatchScope(params.get("scope"), role);

  const nowMs = provider.clock();
  const sessionId = newSessionId();
  const created = await provider.store.create({ sessionId, agentId, rigId, townId, userId, role, scope, clientId: provider.clients.containerClientId, nowMs });
  return {
    kind: "tokens",
    response: tokenResponse(provider, created.session, { generation: created.session.generation, scope, accessExpiresAt: created.accessExpiresAt, nowMs }),
    sessionId,
    outcome: "issued",
    audit: { event: "issued", session_id: sessionId, agent_id: agentId, town_id: townId, client_id: client.id },
  };
}
