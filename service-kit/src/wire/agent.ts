import type { Role } from "@gastown/token-policy";

/** Who an agent is: what the dispatch grant binds its session to (DESIGN.md ids and roles). */
export interface AgentIdentity {
  agent_id: string;
  town_id: string;
  /** Absent for town-level agents such as the Mayor. */
  rig_id?: string;
  user_id: string;
  role: Role;
}

/** An agent process's state on the container control server. */
export type ContainerAgentState = "starting" | "running" | "stopped" | "exited";

/** The session part of `GET /agents/:agentId` (never a token). */
export interface ContainerSessionStatus {
  session_id: string;
  access_expires_at: number | null;
  last_refresh_at: number | null;
  refresh_failures: number;
  lost: boolean;
}

/** `GET /agents/:agentId` on the container control server (never a token). */
export interface ContainerAgentStatus {
  agent_id: string;
  state: ContainerAgentState;
  pid: number | null;
  session: ContainerSessionStatus | null;
}
