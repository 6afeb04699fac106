/** Who an agent is, as far as the worker-api routes are concerned. */
export interface AgentIdentity {
  agentId: string;
  townId: string;
  /** Absent for town-level agents such as the Mayor. */
  rigId?: string | undefined;
  role: string;
}

/** Agent callback routes (DESIGN.md "worker-api (resource server)"); `done` exists for rig agents only. */
export type AgentRouteKind = "heartbeat" | "events" | "done" | "completed";

function base(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "");
}

const seg = encodeURIComponent;

/**
 * The worker-api route an agent posts `kind` to: rig agents under
 * `/api/towns/:townId/rigs/:rigId/agents/:agentId/`, town-level agents under
 * `/api/towns/:townId/agents/:agentId/`.
 */
export function agentRouteUrl(apiUrl: string, agent: AgentIdentity, kind: AgentRouteKind): string {
  if (agent.rigId === undefined) {
    if (kind === "done") throw new RangeError("town-level agents have no done route; use completed");
    return `${base(apiUrl)}/api/towns/${seg(agent.townId)}/agents/${seg(agent.agentId)}/${kind}`;
  }
  return `${base(apiUrl)}/api/towns/${seg(agent.townId)}/rigs/${seg(agent.rigId)}/agents/${seg(agent.agentId)}/${kind}`;
}

/** `POST /api/mayor/:townId/tools/:tool` (needs the `mayor` scope). */
export function mayorToolUrl(apiUrl: string, townId: string, tool: string): string {
  return `${base(apiUrl)}/api/mayor/${seg(townId)}/tools/${seg(tool)}`;
}

/** Merge callback: `POST /api/towns/:townId/rigs/:rigId/review-queue/:entryId/complete`. */
export function mergeCompleteUrl(apiUrl: string, townId: string, rigId: string, entryId: string): string {
  return `${base(apiUrl)}/api/towns/${seg(townId)}/rigs/${seg(rigId)}/review-queue/${seg(entryId)}/complete`;
}
