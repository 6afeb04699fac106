import type { RevocationReason } from "@gastown/token-policy";

/**
 * The audit trail: one entry per issuance, rotation, grace replay, reuse detection and
 * session end. Who (client, or the reason for admin revocations), which session, when,
 * why; never a token or a secret.
 */
export const AUDIT_EVENTS = ["issued", "rotated", "grace_replay", "reuse_detected", "revoked", "expired"] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface AuditEntryInput {
  event: AuditEvent;
  session_id: string;
  agent_id?: string;
  town_id?: string;
  /** The client that acted (dispatcher at issuance, container client on refresh), or the session's client. */
  client_id?: string;
  /** Why a session ended (revoked, reuse_detected, expired). */
  reason?: RevocationReason;
}

export interface AuditEntry extends AuditEntryInput {
  /** Position in the trail (Redis stream id, or a sequence number in memory); newer is greater. */
  id: string;
  /** When, epoch milliseconds (server clock). */
  ts: number;
}

export interface AuditFilter {
  session_id?: string;
  agent_id?: string;
  town_id?: string;
}

export interface AuditLog {
  /** Appends without waiting (the token response never waits for the audit trail). */
  record(entry: AuditEntryInput): void;
  /** Newest first, every filter field must match; at most `limit` entries. */
  query(filter: AuditFilter, limit: number): Promise<AuditEntry[]>;
  /** Writes whatever is buffered. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

export function matchesAudit(entry: AuditEntryInput, filter: AuditFilter): boolean {
  return (
    (filter.session_id === undefined || entry.session_id === filter.session_id) &&
    (filter.agent_id === undefined || entry.agent_id === filter.agent_id) &&
    (filter.town_id === undefined || entry.town_id === filter.town_id)
  );
}
