import type { RevocationReason } from "@gastown/token-policy";
import type { AgentRecordData } from "../dispatch/agent-record.js";
import { agentKey } from "../records/types.js";
import type { AgentClaim, AgentStateStore, AgentWrite, ClaimBusy, PendingRevocation, StoredAgent } from "./types.js";

interface Entry {
  townId: string;
  agentId: string;
  data: AgentRecordData | undefined;
  pendingRevocation: PendingRevocation | null;
  /** Due time (epoch ms); while claimed, the end of the lease. Undefined: not due. */
  dueMs: number | undefined;
  claimId: string | undefined;
}

/**
 * The state store in one process's memory (no Redis: development, `npm start`). The same
 * rules as the Redis store (test/agent-state-contract.ts), so one instance behaves alike.
 */
export class MemoryAgentStateStore implements AgentStateStore {
  readonly kind = "memory";
  readonly #entries = new Map<string, Entry>();
  readonly #sessions = new Map<string, { key: string; untilMs: number }>();
  #sequence = 0;

  constructor(private readonly instanceId: string) {}

  #entry(townId: string, agentId: string): Entry {
    const key = agentKey(townId, agentId);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { townId, agentId, data: undefined, pendingRevocation: null, dueMs: undefined, claimId: undefined };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #take(entry: Entry, nowMs: number, leaseMs: number): AgentClaim {
    this.#sequence += 1;
    entry.claimId = `${this.instanceId}/${this.#sequence}`;
    entry.dueMs = nowMs + leaseMs;
    return { townId: entry.townId, agentId: entry.agentId, claimId: entry.claimId };
  }

  async read(townId: string, agentId: string): Promise<StoredAgent | undefined> {
    const entry = this.#entries.get(agentKey(townId, agentId));
    if (!entry?.data) return undefined;
    return structuredClone({ data: entry.data, pendingRevocation: entry.pendingRevocation });
  }

  async claimDue(nowMs: number, leaseMs: number, limit: number): Promise<AgentClaim[]> {
    const due = [...this.#entries.values()].filter((e) => e.dueMs !== undefined && e.dueMs <= nowMs).sort((a, b) => (a.dueMs ?? 0) - (b.dueMs ?? 0));
    return due.slice(0, limit).map((entry) => this.#take(entry, nowMs, leaseMs));
  }

  async claim(townId: string, agentId: string, nowMs: number, leaseMs: number): Promise<AgentClaim | ClaimBusy> {
    const entry = this.#entry(townId, agentId);
    if (entry.claimId !== undefined && entry.dueMs !== undefined && entry.dueMs > nowMs) return { busy: true, retryInMs: entry.dueMs - nowMs };
    return this.#take(entry, nowMs, leaseMs);
  }

  async write(claim: AgentClaim, write: AgentWrite): Promise<boolean> {
    const entry = this.#entries.get(agentKey(claim.townId, claim.agentId));
    if (!entry || entry.claimId !== claim.claimId) return false;
    if (write.data) entry.data = structuredClone(write.data);
    const pending = entry.pendingRevocation?.sessionId;
    // Acted on, or about a session the agent no longer holds.
    if (pending !== undefined && (pending === write.handledRevocationOf || pending !== entry.data?.session.sessionId)) entry.pendingRevocation = null;
    if (write.mode.keep) {
      entry.dueMs = write.nowMs + write.mode.leaseMs;
      return true;
    }
    entry.claimId = undefined;
    entry.dueMs = entry.pendingRevocation ? write.nowMs : (write.mode.nextDueMs ?? undefined);
    return true;
  }

  async indexSession(sessionId: string, townId: string, agentId: string, untilMs: number): Promise<void> {
    this.#sessions.set(sessionId, { key: agentKey(townId, agentId), untilMs });
  }

  async markRevoked(sessionId: string, reason: RevocationReason, nowMs: number): Promise<boolean> {
    const owner = this.#sessions.get(sessionId);
    if (!owner) return false;
    if (owner.untilMs < nowMs) {
      this.#sessions.delete(sessionId);
      return false;
    }
    const entry = this.#entries.get(owner.key);
    if (!entry?.data || entry.data.session.sessionId !== sessionId || entry.data.state !== "running") return false;
    entry.pendingRevocation = { sessionId, reason };
    const held = entry.claimId !== undefined && entry.dueMs !== undefined && entry.dueMs > nowMs;
    if (!held) entry.dueMs = nowMs;
    return true;
  }

  async isEmpty(): Promise<boolean> {
    return ![...this.#entries.values()].some((entry) => entry.data !== undefined);
  }

  async restore(data: AgentRecordData, nowMs: number): Promise<boolean> {
    const entry = this.#entry(data.identity.town_id, data.identity.agent_id);
    if (entry.data) return false;
    entry.data = structuredClone(data);
    entry.dueMs = nowMs;
    return true;
  }

  async nextDueMs(): Promise<number | undefined> {
    let next: number | undefined;
    for (const entry of this.#entries.values()) if (entry.dueMs !== undefined && (next === undefined || entry.dueMs < next)) next = entry.dueMs;
    return next;
  }

  async close(): Promise<void> {}
}
