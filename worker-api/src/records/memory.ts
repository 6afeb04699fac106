import { type AdmissionState, type AppendOutcome, admit, DEFAULT_RECORD_LIMITS, freshAdmission, type RecordLimits } from "./limits.js";
import { type AgentRecord, type AgentRecords, agentKey, emptyCounts, type RecordStore } from "./types.js";

interface AgentEntry {
  lastHeartbeat: number | null;
  counts: AgentRecords["counts"];
  events: AgentRecord[];
  records: AgentRecord[];
  admission: AdmissionState;
  /** Epoch ms of the last record (retention). */
  lastAt: number;
}

/** In-memory records (no Redis configured: development and tests). Bounded per agent, same limits as Redis. */
export class MemoryRecordStore implements RecordStore {
  readonly #agents = new Map<string, AgentEntry>();
  readonly #limits: RecordLimits;

  constructor(maxPerAgent: number, limits: Partial<RecordLimits> = {}) {
    this.#limits = { ...DEFAULT_RECORD_LIMITS, ...limits, maxPerAgent };
  }

  async append(record: AgentRecord): Promise<AppendOutcome> {
    const key = agentKey(record.town_id, record.agent_id);
    let entry = this.#agents.get(key);
    if (entry && record.at - entry.lastAt > this.#limits.retentionMs) entry = undefined; // expired, as the Redis keys would be
    entry ??= { lastHeartbeat: null, counts: emptyCounts(), events: [], records: [], admission: freshAdmission(this.#limits, record.at), lastAt: record.at };
    this.#agents.set(key, entry);
    const stores = record.kind !== "heartbeat";
    const outcome = admit(entry.admission, this.#limits, record.at, stores, stores ? Buffer.byteLength(JSON.stringify(record)) : 0);
    if (!outcome.stored) return outcome;
    entry.lastAt = Math.max(entry.lastAt, record.at);
    entry.counts[record.kind] += 1;
    if (record.kind === "heartbeat") {
      entry.lastHeartbeat = record.at;
      return outcome;
    }
    const list = record.kind === "event" ? entry.events : entry.records;
    list.push(structuredClone(record));
    if (list.length > this.#limits.maxPerAgent) list.splice(0, list.length - this.#limits.maxPerAgent);
    return outcome;
  }

  async read(townId: string, agentId: string): Promise<AgentRecords> {
    const entry = this.#agents.get(agentKey(townId, agentId));
    if (!entry) return { last_heartbeat: null, counts: emptyCounts(), events: [], records: [] };
    return structuredClone({ last_heartbeat: entry.lastHeartbeat, counts: entry.counts, events: entry.events, records: entry.records });
  }

  async close(): Promise<void> {}
}
