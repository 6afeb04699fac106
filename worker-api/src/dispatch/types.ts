import type { Role } from "@gastown/token-policy";

/** Who an agent is: what the dispatch grant binds its session to. */
export interface AgentIdentity {
  agent_id: string;
  town_id: string;
  rig_id?: string;
  user_id: string;
  role: Role;
}

/** DESIGN.md "Container control server": a token pair as handed to the container. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  session_id: string;
}

/** `GET /agents/:agentId` (never a token). */
export interface ContainerAgentStatus {
  agent_id: string;
  state: "starting" | "running" | "stopped" | "exited";
  pid: number | null;
  session: ContainerSessionStatus | null;
}

export interface ContainerSessionStatus {
  session_id: string;
  access_expires_at: number | null;
  last_refresh_at: number | null;
  refresh_failures: number;
  lost: boolean;
}
