/**
 * What one agent may store (issue 14: records must never fill the Redis that holds the
 * sessions). Per agent: a token bucket (`ratePerSecond`, `burst`) for every callback, a quota
 * per fixed window (`quotaRecords`, `quotaBytes`) for what is stored (heartbeats store
 * nothing and count only against the bucket), each stream and list capped at `maxPerAgent`
 * entries of at most `maxRecordBytes` each, and every key expiring `retentionMs` after the
 * agent's last record. Worst case an agent holds 2 x maxPerAgent x maxRecordBytes.
 */
export interface RecordLimits {
  /** WORKER_RECORD_MAX_BYTES: the largest record (its JSON, identity included); larger is a 413. */
  maxRecordBytes: number;
  /** WORKER_RECORDS_PER_AGENT: entries kept in each agent's event stream and record list (oldest trimmed). */
  maxPerAgent: number;
  /** WORKER_RECORD_RETENTION: an agent's records expire this long after its last one. */
  retentionMs: number;
  /** WORKER_AGENT_RATE: callbacks per second an agent's bucket refills with. */
  ratePerSecond: number;
  /** WORKER_AGENT_BURST: the bucket's size. */
  burst: number;
  /** The quota's fixed window. */
  quotaWindowMs: number;
  /** WORKER_AGENT_QUOTA_RECORDS: records stored per window. */
  quotaRecords: number;
  /** WORKER_AGENT_QUOTA_BYTES: bytes stored per window. */
  quotaBytes: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = {
  maxRecordBytes: 16 * 1024,
  maxPerAgent: 1_000,
  retentionMs: 7 * 24 * 3600 * 1000,
  ratePerSecond: 20,
  burst: 200,
  quotaWindowMs: 3600 * 1000,
  quotaRecords: 20_000,
  quotaBytes: 64 * 1024 * 1024,
};

/** Why a record was refused (the metric's `reason` label). */
export type RecordRefusal = "rate" | "quota" | "size";
export const RECORD_REFUSALS: readonly RecordRefusal[] = ["rate", "quota", "size"];

export type AppendOutcome = { stored: true } | { stored: false; refusal: "rate" | "quota"; retryAfterMs: number };

/** One agent's bucket and quota window (the memory store's copy of the Redis `limits` hash). */
export interface AdmissionState {
  tokens: number;
  refilledAt: number;
  windowStart: number;
  windowRecords: number;
  windowBytes: number;
}

export function freshAdmission(limits: RecordLimits, nowMs: number): AdmissionState {
  return { tokens: limits.burst, refilledAt: nowMs, windowStart: nowMs, windowRecords: 0, windowBytes: 0 };
}

/**
 * The admission rule, updating `state` in place; `scripts/append-record-4.lua` runs the same
 * rule on the Redis hash (the records contract test runs both). Bucket first, then quota; a
 * refused record consumes nothing. A clock that went back refills nothing.
 */
export function admit(state: AdmissionState, limits: RecordLimits, nowMs: number, stores: boolean, bytes: number): AppendOutcome {
  if (nowMs > state.refilledAt) {
    state.tokens = Math.min(limits.burst, state.tokens + ((nowMs - state.refilledAt) * limits.ratePerSecond) / 1000);
    state.refilledAt = nowMs;
  }
  if (state.tokens < 1) return { stored: false, refusal: "rate", retryAfterMs: Math.ceil(((1 - state.tokens) * 1000) / limits.ratePerSecond) };
  if (nowMs - state.windowStart >= limits.quotaWindowMs) Object.assign(state, { windowStart: nowMs, windowRecords: 0, windowBytes: 0 });
  if (stores && (state.windowRecords + 1 > limits.quotaRecords || state.windowBytes + bytes > limits.quotaBytes)) {
    return { stored: false, refusal: "quota", retryAfterMs: Math.max(1, state.windowStart + limits.quotaWindowMs - nowMs) };
  }
  state.tokens -= 1;
  if (stores) {
    state.windowRecords += 1;
    state.windowBytes += bytes;
  }
  return { stored: true };
}
