import { isId } from "@gastown/token-policy";
import type { Logger } from "pino";
import { type AgentIdentity, mergeCompleteUrl } from "../routes.js";
import type { Outbox } from "./outbox.js";

/**
 * A merge callback announced on stdout as `{"gastown": "merge", "entry_id": "...", ...}`:
 * posted to `/api/towns/:townId/rigs/:rigId/review-queue/:entryId/complete` with the
 * rest of the object as body, queued on the agent's outbox. Only rig agents have a review queue.
 */
export function forwardMerge(body: Record<string, unknown>, outbox: Outbox, apiUrl: string, agent: AgentIdentity, log: Logger): void {
  const { entry_id: entryId, ...rest } = body;
  if (agent.rigId === undefined || !isId(entryId)) {
    log.warn({ agentId: agent.agentId }, "merge line ignored: needs a rig agent and a well-formed entry_id");
    return;
  }
  outbox.enqueue({ url: mergeCompleteUrl(apiUrl, agent.townId, agent.rigId, entryId), body: rest, what: "merge" });
}
