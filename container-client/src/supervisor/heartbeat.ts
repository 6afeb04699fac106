import type { Logger } from "pino";
import { type AgentIdentity, agentRouteUrl } from "../routes.js";
import type { AgentSession } from "../session/agent-session.js";
import { postWithSession } from "./callback.js";

/** Posts `{pid, state, at}` to the agent's heartbeat route every `intervalMs` until stopped. */
export function startHeartbeat(
  session: AgentSession,
  apiUrl: string,
  agent: AgentIdentity,
  intervalMs: number,
  describe: () => { pid: number | null; state: string },
  log: Logger,
): () => void {
  const url = agentRouteUrl(apiUrl, agent, "heartbeat");
  const timer = setInterval(() => {
    void postWithSession(session, url, { ...describe(), at: Math.floor(Date.now() / 1000) }, log, "heartbeat");
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
