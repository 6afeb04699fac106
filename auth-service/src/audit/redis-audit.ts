import type { RedisConnection } from "@gastown/service-kit";
import { isRevocationReason } from "@gastown/token-policy";
import { AUDIT_EVENTS, type AuditEntry, type AuditEntryInput, type AuditEvent, type AuditFilter, type AuditLog, matchesAudit } from "./types.js";

/** A buffered batch goes out after this long, or at once when it reaches FLUSH_ENTRIES. */
export const FLUSH_INTERVAL_MS = 50;
export const FLUSH_ENTRIES = 200;
/** Entries waiting while Redis does not answer; beyond this they are dropped (and counted). */
const MAX_BUFFERED = 10_000;
const READ_BATCH = 500;

/** Stream field names (short: the stream is bounded by entry count, not bytes). */
const F = { ts: "ts", event: "ev", session_id: "sid", agent_id: "a", town_id: "t", client_id: "c", reason: "re" } as const;

export interface RedisAuditLogOptions {
  redis: RedisConnection;
  /** The stream key, `<REDIS_PREFIX>audit`. */
  key: string;
  /** Bound of the stream (XADD MAXLEN ~: Redis trims whole nodes, so it may briefly hold up to ~100 more). */
  maxEntries: number;
  clock: () => number;
  /** Told how many entries were lost when a write fails (metrics, log). */
  onDropped?: (count: number, error: unknown) => void;
}

function fieldsOf(entry: AuditEntryInput, ts: number): string[] {
  const fields = [F.ts, String(ts), F.event, entry.event, F.session_id, entry.session_id];
  if (entry.agent_id !== undefined) fields.push(F.agent_id, entry.agent_id);
  if (entry.town_id !== undefined) fields.push(F.town_id, entry.town_id);
  if (entry.client_id !== undefined) fields.push(F.client_id, entry.client_id);
  if (entry.reason !== undefined) fields.push(F.reason, entry.reason);
  return fields;
}

function entryOf(id: string, pairs: string[]): AuditEntry | undefined {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < pairs.length; i += 2) map.set(pairs[i]!, pairs[i + 1]!);
  const event = map.get(F.event);
  const sessionId = map.get(F.session_id);
  const ts = Number(map.get(F.ts));
  if (!AUDIT_EVENTS.includes(event as AuditEvent) || sessionId === undefined || !Number.isSafeInteger(ts)) return undefined;
  const entry: AuditEntry = { id, ts, event: event as AuditEvent, session_id: sessionId };
  const agent = map.get(F.agent_id);
  const town = map.get(F.town_id);
  const client = map.get(F.client_id);
  const reason = map.get(F.reason);
  if (agent !== undefined) entry.agent_id = agent;
  if (town !== undefined) entry.town_id = town;
  if (client !== undefined) entry.client_id = client;
  if (reason !== undefined && isRevocationReason(reason)) entry.reason = reason;
  return entry;
}

/**
 * The audit trail in a bounded Redis stream. `record` only buffers: a timer (or a full
 * batch) writes the buffer as one pipeline of `XADD <key> MAXLEN ~ <n> * ...`, so the
 * refresh grant keeps its single round trip and never waits for the audit write.
 */
export function createRedisAuditLog(options: RedisAuditLogOptions): AuditLog {
  const { redis, key, maxEntries, clock } = options;
  const maxLength = String(maxEntries);
  // The caller's entry objects are kept as they are, their times beside them: recording
  // allocates nothing per request but the array slots (the fields are built at flush).
  let buffer: AuditEntryInput[] = [];
  let stamps: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  async function write(batch: AuditEntryInput[], times: number[]): Promise<void> {
    const pipeline = redis.pipeline();
    for (let i = 0; i < batch.length; i++) pipeline.xadd(key, "MAXLEN", "~", maxLength, "*", ...fieldsOf(batch[i]!, times[i]!));
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.filter(([error]) => error);
      if (failed.length > 0) options.onDropped?.(failed.length, failed[0]![0]);
    } catch (error) {
      options.onDropped?.(batch.length, error);
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return writing;
    const batch = buffer;
    const times = stamps;
    buffer = [];
    stamps = [];
    writing = writing.then(() => write(batch, times));
    return writing;
  }

  return {
    record(input: AuditEntryInput): void {
      if (buffer.length >= MAX_BUFFERED) {
        options.onDropped?.(1, new Error("audit buffer full"));
        return;
      }
      buffer.push(input);
      stamps.push(clock());
      if (buffer.length >= FLUSH_ENTRIES) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), FLUSH_INTERVAL_MS);
        timer.unref();
      }
    },

    async query(filter: AuditFilter, limit: number): Promise<AuditEntry[]> {
      await flush();
      const out: AuditEntry[] = [];
      let end = "+";
      for (let scanned = 0; out.length < limit && scanned <= maxEntries + READ_BATCH; scanned += READ_BATCH) {
        const page = await redis.xrevrange(key, end, "-", "COUNT", READ_BATCH);
        for (const [id, pairs] of page) {
          const entry = entryOf(id, pairs);
          if (entry && matchesAudit(entry, filter)) out.push(entry);
          if (out.length >= limit) break;
        }
        if (page.length < READ_BATCH) break;
        end = `(${page[page.length - 1]![0]}`;
      }
      return out;
    },

    flush,

    async close(): Promise<void> {
      await flush();
    },
  };
}
