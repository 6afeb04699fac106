import type { Redis } from "ioredis";
import { type AgentRecord, type AgentRecords, agentKey, emptyCounts, RECORD_KINDS, type RecordKind, type RecordStore } from "./types.js";

/**
 * Records in Redis, all keys under `<prefix>worker:`:
 * - `agent:<town>/<agent>` hash: `last_heartbeat` and one counter per kind;
 * - `events:<town>/<agent>` stream: one entry per event (field `record`, JSON);
 * - `records:<town>/<agent>` list: done, completed, sling, merge and tool records (JSON).
 * Streams and lists are trimmed to the newest `maxPerAgent` entries.
 */
export class RedisRecordStore implements RecordStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxPerAgent: number,
  ) {}

  #key(kind: "agent" | "events" | "records", townId: string, agentId: string): string {
    return `${this.prefix}worker:${kind}:${agentKey(townId, agentId)}`;
  }

  async append(record: AgentRecord): Promise<void> {
    const meta = this.#key("agent", record.town_id, record.agent_id);
    const multi = this.redis.multi().hincrby(meta, record.kind, 1);
    if (record.kind === "heartbeat") {
      multi.hset(meta, "last_heartbeat", String(record.at));
    } else if (record.kind === "event") {
      const stream = this.#key("events", record.town_id, record.agent_id);
      multi.xadd(stream, "MAXLEN", "~", String(this.maxPerAgent), "*", "record", JSON.stringify(record));
    } else {
      const list = this.#key("records", record.town_id, record.agent_id);
      multi.rpush(list, JSON.stringify(record)).ltrim(list, -this.maxPerAgent, -1);
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error("redis transaction aborted");
  }

  async read(townId: string, agentId: string): Promise<AgentRecords> {
    const [meta, events, records] = await Promise.all([
      this.redis.hgetall(this.#key("agent", townId, agentId)),
      this.redis.xrange(this.#key("events", townId, agentId), "-", "+"),
      this.redis.lrange(this.#key("records", townId, agentId), 0, -1),
    ]);
    const counts = emptyCounts();
    for (const kind of RECORD_KINDS) counts[kind as RecordKind] = Number(meta[kind] ?? 0);
    const lastHeartbeat = meta.last_heartbeat === undefined ? null : Number(meta.last_heartbeat);
    return {
      last_heartbeat: lastHeartbeat,
      counts,
      events: events.map(([, fields]) => JSON.parse(fields[1] ?? "null") as AgentRecord),
      records: records.map((raw) => JSON.parse(raw) as AgentRecord),
    };
  }

  async close(): Promise<void> {}
}
