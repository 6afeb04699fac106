/**
 * Messages between the bench (parent, the load generator) and a server under test
 * (child process). The child announces `ready` once listening; the parent sends requests
 * `{id, type, ...}` and gets `{id, result}` or `{id, error}` back; `stop` closes the
 * server and ends the child (so `--cpu-prof` writes its profile).
 */
export interface ReadyMessage {
  type: "ready";
  url: string;
  [field: string]: unknown;
}

export interface RequestMessage {
  id: number;
  type: string;
  [field: string]: unknown;
}

export type ReplyMessage = { id: number; result: unknown } | { id: number; error: string };

/** Settings a child reads from `BENCH_CHILD_CONFIG` (JSON). */
export interface ChildConfig {
  redisUrl?: string;
  prefix?: string;
  [field: string]: unknown;
}

export const CHILD_CONFIG_ENV = "BENCH_CHILD_CONFIG";
