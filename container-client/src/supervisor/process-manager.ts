import { AgentStateError, UnknownAgentError } from "../errors.js";
import type { TokenPair } from "../session/token-pair.js";
import { type AgentRuntime, type AgentSpec, type AgentStatus, ManagedAgent } from "./managed-agent.js";
import { uidsWithProcesses } from "./uid-sweep.js";

/** The container's agents by id: starts, finds and stops `ManagedAgent`s. */
export class ProcessManager {
  readonly #agents = new Map<string, ManagedAgent>();
  /** Replaced agents whose outbox is still draining (flushed on close too). */
  readonly #retired = new Set<ManagedAgent>();

  constructor(readonly runtime: AgentRuntime) {}

  /** A read-only view, for tests and diagnostics. */
  get agents(): ReadonlyMap<string, ManagedAgent> {
    return this.#agents;
  }

  /**
   * Starts an agent; 409 (`AgentStateError`) while one with that id is still live, 503
   * (`AgentCapacityError`) when no uid is free: both before anything of it exists.
   */
  async start(spec: AgentSpec, tokens: TokenPair): Promise<AgentStatus> {
    const existing = this.#agents.get(spec.agentId);
    if (existing?.live) throw new AgentStateError(`agent ${spec.agentId} is already ${existing.state}`);
    const user = this.runtime.uids?.allocate(uidsWithProcesses());
    let agent: ManagedAgent;
    try {
      agent = new ManagedAgent(spec, tokens, this.runtime, user);
    } catch (error) {
      if (user !== undefined) this.runtime.uids?.release(user);
      throw error;
    }
    if (existing !== undefined) this.#retire(existing);
    this.#agents.set(spec.agentId, agent);
    try {
      await agent.start();
    } catch (error) {
      if (this.#agents.get(spec.agentId) === agent) this.#agents.delete(spec.agentId);
      throw error;
    }
    return agent.status();
  }

  get(agentId: string): ManagedAgent {
    const agent = this.#agents.get(agentId);
    if (agent === undefined) throw new UnknownAgentError(`no agent ${agentId}`);
    return agent;
  }

  async pushTokens(agentId: string, pair: TokenPair): Promise<AgentStatus> {
    const agent = this.get(agentId);
    if (!agent.live) throw new AgentStateError(`agent ${agentId} is ${agent.state}`);
    await agent.pushTokens(pair);
    return agent.status();
  }

  async stop(agentId: string): Promise<AgentStatus> {
    const agent = this.get(agentId);
    await agent.stop();
    return agent.status();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((agent) => agent.stop()));
  }

  /**
   * Gives every agent's outbox (current and replaced ones) at most `timeoutMs` to deliver
   * what is left, then closes them; returns the number of callbacks given up.
   */
  async flushAll(timeoutMs: number): Promise<number> {
    const all = [...this.#agents.values(), ...this.#retired];
    const left = await Promise.all(all.map((agent) => agent.outbox.flush(timeoutMs)));
    return left.reduce((sum, n) => sum + n, 0);
  }

  #retire(agent: ManagedAgent): void {
    this.#retired.add(agent);
    void agent.finished.then(() => this.#retired.delete(agent));
  }
}
