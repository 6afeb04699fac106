import type { Logger } from "pino";
import { type AgentIdentity, agentRouteUrl } from "../routes.js";
import type { AgentSession } from "../session/agent-session.js";
import { postWithSession } from "./callback.js";
import { forwardMerge } from "./merge.js";

/**
 * The agent stdout protocol: a line holding a JSON object with `"gastown": "event"` is
 * persisted by posting the object (without the `gastown` key) to the agent's events
 * route; `"gastown": "merge"` is a merge callback (see `forwardMerge`); any other line is
 * logged at debug level.
 */
export function handleAgentLine(line: string, session: AgentSession, apiUrl: string, agent: AgentIdentity, log: Logger): Promise<number> | undefined {
  const message = parseProtocolLine(line);
  if (message === undefined) {
    log.debug({ agentId: agent.agentId, line: line.slice(0, 500) }, "agent output");
    return undefined;
  }
  const { gastown, ...body } = message;
  if (gastown === "event") return postWithSession(session, agentRouteUrl(apiUrl, agent, "events"), body, log, "event");
  if (gastown === "merge") return forwardMerge(body, session, apiUrl, agent, log);
  log.warn({ agentId: agent.agentId, gastown }, "unknown gastown line kind");
  return undefined;
}

function parseProtocolLine(line: string): ({ gastown: unknown } & Record<string, unknown>) | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value) && "gastown" in value) {
      return value as { gastown: unknown } & Record<string, unknown>;
    }
  } catch {
    // not JSON: ordinary output
  }
  return undefined;
}
