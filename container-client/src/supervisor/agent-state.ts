/**
 * The states of an agent process as the control server reports them (DESIGN.md "Container
 * control server"). Kept apart from `ManagedAgent` so that the metrics, which count agents
 * by state, and the agent, which reports to the metrics, do not import each other.
 */
export const AGENT_STATES = ["starting", "running", "stopped", "exited"] as const;

export type AgentState = (typeof AGENT_STATES)[number];
