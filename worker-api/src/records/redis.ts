import type { RedisConnection } from "@gastown/service-kit";
import { defineRecordCommands } from "./commands.js";
import { type AppendOutcome, DEFAULT_RECORD_LIMITS, type RecordLimits } from "./limits.js";
import { type AgentRecord, type AgentRecords, agentKey, emptyCounts, RECORD_KINDS, type RecordKind, type RecordStore } from "./types.js";

/**
 * Records in Redis, all keys under `<prefix>worker:{rec:<town>/<agent>}:` (one hash tag per
 * agent: one Cluster slot, one script):
 * - `meta` hash: `last_heartbeat` and one counter per kind;
 * - `events` stream: one entry per event (field `record`, JSON);
 * - `records` list: done, completed, sling, merge and tool records (JSON);
 * - `limits` hash: the agent's token bucket and quota window.
 * `scripts/append-record-4.lua` admits and appends in one step (see `RecordLimits`); streams
 * and lists hold at most `maxPerAgent` entries, and every key expires `retentionMs` after the
 * agent's last record.
 */
export class RedisRecordStore implements RecordStore {
  readonly #limits: RecordLimits;

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    maxPerAgent: number,
    limits: Partial<RecordLimits> = {},
  ) {
    this.#limits = { ...DEFAULT_RECORD_LIMITS, ...limits, maxPerAgent };
    defineRecordCommands(redis);
  }

  #key(part: "meta" | "events" | "records" | "limits", townId: string, agentId: string): string {
    return `${this.prefix}worker:{rec:${agentKey(townId, agentId)}}:${part}`;
  }

  async append(record: AgentRecord): Promise<AppendOutcome> {
    const key = (part: "meta" | "events" | "records" | "limits") => this.#key(part, record.town_id, record.agent_id);
    const l = this.#limits;
    const json = record.kind === "heartbeat" ? "" : JSON.stringify(record);
    const [code, retryAfterMs] = await this.redis.gastownAppendRecord(
      key("meta"), key("events"), key("records"), key("limits"),
      record.kind, json, record.at, l.ratePerSecond, l.burst, l.quotaWindowMs, l.quotaRecords, l.quotaBytes, l.maxPerAgent, l.retentionMs,
    );
    if (code === 0) return { stored: true };
    return { stored: false, refusal: code === 1 ? "rate" : "quota", retryAfterMs };
  }

  async read(townId: string, agentId: string): Promise<AgentRecords> {
    const [meta, events, records] = await Promise.all([
      this.redis.hgetall(this.#key("meta", townId, agentId)),
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
