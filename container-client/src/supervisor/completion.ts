import { type AgentIdentity, agentRouteUrl } from "../routes.js";
import type { Outbox } from "./outbox.js";

/**
 * The completion report sent when an agent process ends on its own (an agent stopped
 * through the control server gets none: the worker asked for it):
 * - exit code 0: a rig agent posts `/done` (its work is ready, `gt done`), a town-level
 *   agent, which has no `/done` route, posts `/completed`; both with `{status: "done", exit_code: 0}`;
 * - any other exit code or a signal: `/completed` with `{status: "failed", exit_code, signal}`.
 *
 * Queued on the agent's outbox after its events, so it is delivered once the worker-api answers.
 */
export function reportCompletion(outbox: Outbox, apiUrl: string, agent: AgentIdentity, exit: { code: number | null; signal: NodeJS.Signals | null }): void {
  if (exit.code === 0) {
    const kind = agent.rigId === undefined ? "completed" : "done";
    outbox.enqueue({ url: agentRouteUrl(apiUrl, agent, kind), body: { status: "done", exit_code: 0 }, what: kind });
    return;
  }
  const body = { status: "failed", exit_code: exit.code, signal: exit.signal };
  outbox.enqueue({ url: agentRouteUrl(apiUrl, agent, "completed"), body, what: "completed" });
}
