import type { AppendOutcome } from "./limits.js";

/** What an agent posted, by route (DESIGN.md worker-api). */
export const RECORD_KINDS = ["heartbeat", "event", "done", "completed", "sling", "merge", "tool"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * One stored callback. Identity fields come from the verified token (never from the
 * body); route parameters that are not identity (tool, entry id) are kept as given.
 */
export interface AgentRecord {
  kind: RecordKind;
  /** Epoch ms when the worker received it. */
  at: number;
  agent_id: string;
  town_id: string;
  rig_id?: string;
  session_id: string;
  tool?: string;
  entry_id?: string;
  body: Record<string, unknown>;
}

/** Everything stored for one agent, as the operator read API answers it. */
export interface AgentRecords {
  last_heartbeat: number | null;
  counts: Record<RecordKind, number>;
  /** Events, oldest first (a stream per agent). */
  events: AgentRecord[];
  /** done, completed, sling, merge and tool records, oldest first. */
  records: AgentRecord[];
}

export interface RecordStore {
  /** Admits (rate, quota: `RecordLimits`) and stores; a refused record changes nothing stored. */
  append(record: AgentRecord): Promise<AppendOutcome>;
  read(townId: string, agentId: string): Promise<AgentRecords>;
  close(): Promise<void>;
}

export function emptyCounts(): Record<RecordKind, number> {
  return Object.fromEntries(RECORD_KINDS.map((kind) => [kind, 0])) as Record<RecordKind, number>;
}

/** `/` cannot occur in ids, so town and agent never run into each other. */
export function agentKey(townId: string, agentId: string): string {
  return `${townId}/${agentId}`;
}
