import { chmodSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const TOWN = "town-1";
export const MAYOR = { agent_id: "mayor", user_id: "user-1", role: "mayor" } as const;
export const polecat = (n: number) => ({ agent_id: `polecat-${n}`, rig_id: "rig-1", user_id: "user-1", role: "polecat" }) as const;
export type AgentSpec = { agent_id: string; rig_id?: string; user_id: string; role: string };

/** One callback as the callback agent recorded it. */
export interface SentCall {
  call: "tool" | "heartbeat" | "events" | "completed";
  status: number;
  ok: boolean;
  seq: number;
  pid: number;
  /** Epoch ms when the answer arrived. */
  at: number;
  error?: string;
}

/**
 * A `--record-dir` for callback agents: they run as their own uids (the supervisor is
 * root), so each may create its file there (1733: write and search, sticky, not listable).
 */
export function makeRecordDir(path: string): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o1733);
  return path;
}

/** Every callback an agent sent (its processes' `--record-dir` files), in the order the answers came. */
export function sentCalls(recordDir: string, agentId: string): SentCall[] {
  const files = readdirSync(recordDir).filter((name) => name.startsWith(`${agentId}.`) && /^\d+\.jsonl$/.test(name.slice(agentId.length + 1)));
  return files
    .flatMap((name) => readFileSync(join(recordDir, name), "utf8").split("\n"))
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as SentCall)
    .sort((a, b) => a.at - b.at);
}

/** Worker record kind of each callback kind. */
export const STORED_KIND = { tool: "tool", heartbeat: "heartbeat", events: "event", completed: "completed" } as const;

export interface CallTally {
  sent: number;
  failed: SentCall[];
  okByKind: Record<keyof typeof STORED_KIND, number>;
  pids: Set<number>;
}

export function tally(calls: SentCall[]): CallTally {
  const okByKind = { tool: 0, heartbeat: 0, events: 0, completed: 0 };
  const failed: SentCall[] = [];
  const pids = new Set<number>();
  for (const c of calls) {
    pids.add(c.pid);
    if (c.ok) okByKind[c.call] += 1;
    else failed.push(c);
  }
  return { sent: calls.length, failed, okByKind, pids };
}
