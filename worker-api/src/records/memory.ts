import { type AgentRecord, type AgentRecords, agentKey, emptyCounts, type RecordStore } from "./types.js";

interface AgentEntry {
  lastHeartbeat: number | null;
  counts: AgentRecords["counts"];
  events: AgentRecord[];
  records: AgentRecord[];
}

/** In-memory records (no Redis configured: development and tests). Bounded per agent. */
export class MemoryRecordStore implements RecordStore {
  readonly #agents = new Map<string, AgentEntry>();

  constructor(private readonly maxPerAgent: number) {}

  async append(record: AgentRecord): Promise<void> {
    const key = agentKey(record.town_id, record.agent_id);
    let entry = this.#agents.get(key);
    if (!entry) {
      entry = { lastHeartbeat: null, counts: emptyCounts(), events: [], records: [] };
      this.#agents.set(key, entry);
    }
    entry.counts[record.kind] += 1;
    if (record.kind === "heartbeat") {
      entry.lastHeartbeat = record.at;
      return;
    }
    const list = record.kind === "event" ? entry.events : entry.records;
    list.push(structuredClone(record));
    if (list.length > this.maxPerAgent) list.splice(0, list.length - this.maxPerAgent);
  }

  async read(townId: string, agentId: string): Promise<AgentRecords> {
    const entry = this.#agents.get(agentKey(townId, agentId));
    if (!entry) return { last_heartbeat: null, counts: emptyCounts(), events: [], records: [] };
    return structuredClone({ last_heartbeat: entry.lastHeartbeat, counts: entry.counts, events: entry.events, records: entry.records });
  }

  async close(): Promise<void> {}
}
