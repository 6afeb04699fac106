import type { AuthMetrics } from "../metrics/auth-metrics.js";
import type { EndedSession, OnSessionEnded } from "../store/types.js";
import type { AuditEvent, AuditLog } from "./types.js";

function eventOf(ended: EndedSession): AuditEvent {
  if (ended.reason === "reuse_detected") return "reuse_detected";
  if (ended.reason === "expired") return "expired";
  return "revoked";
}

/**
 * What the service does with every session the store ends (admin, client, superseded,
 * reuse, expiry): count it and append it to the audit trail. `audit` is read at call
 * time (the trail is opened after the store that reports to it).
 */
export function onSessionEnded(metrics: AuthMetrics, audit: () => AuditLog | undefined): OnSessionEnded {
  return (ended) => {
    metrics.revocations.inc({ reason: ended.reason });
    if (ended.reason === "reuse_detected") metrics.reuseDetections.inc();
    audit()?.record({
      event: eventOf(ended),
      session_id: ended.sid,
      ...(ended.agentId ? { agent_id: ended.agentId } : {}),
      ...(ended.townId ? { town_id: ended.townId } : {}),
      ...(ended.clientId ? { client_id: ended.clientId } : {}),
      reason: ended.reason,
    });
  };
}
