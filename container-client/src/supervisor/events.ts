import type { Logger } from "pino";
import { type AgentIdentity, agentRouteUrl } from "../routes.js";
import { forwardMerge } from "./merge.js";
import type { Outbox } from "./outbox.js";

/**
 * The agent stdout protocol: a line holding a JSON object with `"gastown": "event"` is
 * persisted by queueing a post of the object (without the `gastown` key) to the agent's
 * events route on the agent's outbox (delivered in order, retried); `"gastown": "merge"` is a merge callback (see `forwardMerge`); any other line is
 * logged at debug level.
 */
export function handleAgentLine(line: string, outbox: Outbox, apiUrl: string, agent: AgentIdentity, log: Logger): void {
  const message = parseProtocolLine(line);
  if (message === undefined) {
    log.debug({ agentId: agent.agentId, line: line.slice(0, 500) }, "agent output");
    return;
  }
  const { gastown, ...body } = message;
  if (gastown === "event") outbox.enqueue({ url: agentRouteUrl(apiUrl, agent, "events"), body, what: "event" });
  else if (gastown === "merge") forwardMerge(body, outbox, apiUrl, agent, log);
  else log.warn({ agentId: agent.agentId, gastown }, "unknown gastown line kind");
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
