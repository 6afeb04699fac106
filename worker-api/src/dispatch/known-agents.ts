import { agentKey } from "../records/types.js";
import type { AgentRecordData } from "./agent-record.js";
import { type DispatchDeps, sessionIndexUntilMs } from "./deps.js";

/**
 * The last copy of each running agent's record this instance saw: which sessions are its
 * agents' (a resync reads their revocation reasons), and what to put back when Redis lost
 * its data.
 */
export class KnownAgents {
  readonly #records = new Map<string, AgentRecordData>();
  readonly #sessions = new Map<string, string>();

  constructor(private readonly deps: DispatchDeps) {}

  see(agent: AgentRecordData | undefined): void {
    if (!agent) return;
    const key = agentKey(agent.identity.town_id, agent.identity.agent_id);
    const previous = this.#records.get(key);
    if (previous) this.#sessions.delete(previous.session.sessionId);
    if (agent.state !== "running") {
      this.#records.delete(key);
      return;
    }
    this.#records.set(key, structuredClone(agent));
    this.#sessions.set(agent.session.sessionId, key);
  }

  holdsSession(sessionId: string): boolean {
    return this.#sessions.has(sessionId);
  }

  /** `[townId, agentId]` of every running agent seen. */
  agents(): [string, string][] {
    return [...this.#records.values()].map((agent) => [agent.identity.town_id, agent.identity.agent_id]);
  }

  /**
   * A Redis that lost its data (a flush, a failover that dropped writes) forgets every
   * agent: this instance puts back its last copies (the first copy wins), each due now, so
   * the check with the container renews what needs it (DESIGN.md failure semantics).
   */
  async restoreIfLost(): Promise<void> {
    const { store, now, policy, log, instanceId } = this.deps;
    if (this.#records.size === 0 || !(await store.isEmpty())) return;
    let restored = 0;
    for (const agent of this.#records.values()) {
      const { town_id, agent_id } = agent.identity;
      if (await store.restore(agent, now())) restored += 1;
      await store.indexSession(agent.session.sessionId, town_id, agent_id, sessionIndexUntilMs(agent.session.dispatchedAtMs, policy));
    }
    log.warn({ restored, known: this.#records.size, instance: instanceId }, "the state store lost its agents; restored this instance's copies");
  }
}
