import type { TokenPolicy } from "@gastown/token-policy";
import type { Logger } from "../log.js";
import type { AgentRecordData, RenewalReason } from "./agent-record.js";
import { type ContainerControlClient, statusTimeMs } from "./container-client.js";
import { absoluteRenewAtMs, idleRenewAtMs } from "./schedule.js";
import type { ContainerAgentStatus } from "./types.js";

/**
 * Why an agent's session needs a fresh dispatch now, judged from what the worker knows
 * (dispatch time) and what the container reports; undefined when it is healthy.
 */
export function renewalNeeded(agent: AgentRecordData, status: ContainerAgentStatus | null, nowMs: number, policy: TokenPolicy): RenewalReason | undefined {
  const session = status?.session;
  if (session?.lost) return "lost";
  if (session && session.session_id !== agent.session.sessionId) return "session_mismatch";
  if (nowMs >= absoluteRenewAtMs(agent.session.dispatchedAtMs, policy)) return "absolute_end";
  if (nowMs >= idleRenewAtMs(agent.lastRefreshAtMs, policy)) return "idle_end";
  return undefined;
}

export interface HealthCheckDeps {
  container: ContainerControlClient;
  policy: TokenPolicy;
  now: () => number;
  log: Logger;
}

export type HealthVerdict =
  | { kind: "gone"; state: "exited" | "stopped" }
  /** The container does not know the agent (404): it restarted and lost it. */
  | { kind: "missing" }
  | { kind: "renew"; reason: RenewalReason; status: ContainerAgentStatus | null }
  | { kind: "healthy" }
  | { kind: "unknown" };

/**
 * Reads the container's status of one agent and judges its session (the reconcile check
 * at every interval, and the check at the renewal point). Updates the pid and the last
 * refresh the container reports.
 */
export async function checkSessionHealth(agent: AgentRecordData, deps: HealthCheckDeps): Promise<HealthVerdict> {
  let status: ContainerAgentStatus | undefined;
  try {
    status = await deps.container.status(agent.identity.agent_id);
  } catch (error) {
    deps.log.warn({ agent: agent.identity.agent_id, err: (error as Error).message }, "container status unavailable");
    // Without the container's word, the absolute end still decides on its own.
    const reason = renewalNeeded(agent, null, deps.now(), deps.policy);
    return reason === "absolute_end" ? { kind: "renew", reason, status: null } : { kind: "unknown" };
  }
  if (!status) return { kind: "missing" };
  if (status.state === "stopped" || status.state === "exited") return { kind: "gone", state: status.state };
  agent.pid = status.pid ?? agent.pid;
  if (status.session && status.session.session_id === agent.session.sessionId) {
    const lastRefresh = statusTimeMs(status.session.last_refresh_at);
    if (lastRefresh !== null && lastRefresh > agent.lastRefreshAtMs) agent.lastRefreshAtMs = lastRefresh;
  }
  const reason = renewalNeeded(agent, status, deps.now(), deps.policy);
  return reason ? { kind: "renew", reason, status } : { kind: "healthy" };
}
