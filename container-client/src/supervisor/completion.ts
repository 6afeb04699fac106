import type { Logger } from "pino";
import { type AgentIdentity, agentRouteUrl } from "../routes.js";
import type { AgentSession } from "../session/agent-session.js";
import { postWithSession } from "./callback.js";

/**
 * The completion report sent when an agent process ends on its own (an agent stopped
 * through the control server gets none: the worker asked for it):
 * - exit code 0: a rig agent posts `/done` (its work is ready, `gt done`), a town-level
 *   agent, which has no `/done` route, posts `/completed`; both with `{status: "done", exit_code: 0}`;
 * - any other exit code or a signal: `/completed` with `{status: "failed", exit_code, signal}`.
 */
export function reportCompletion(
  session: AgentSession,
  apiUrl: string,
  agent: AgentIdentity,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  log: Logger,
): Promise<number> {
  if (exit.code === 0) {
    const kind = agent.rigId === undefined ? "completed" : "done";
    return postWithSession(session, agentRouteUrl(apiUrl, agent, kind), { status: "done", exit_code: 0 }, log, kind);
  }
  const body = { status: "failed", exit_code: exit.code, signal: exit.signal };
  return postWithSession(session, agentRouteUrl(apiUrl, agent, "completed"), body, log, "completed");
}
