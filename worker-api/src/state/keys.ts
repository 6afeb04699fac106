/**
 * Redis keys of the worker's agent state (DESIGN.md "worker-api state"). One town's keys
 * share the hash tag `{town:<id>}`, so every script touches one Redis Cluster slot; the
 * set of towns and the session index live in slots of their own (never in a script).
 */
export class AgentStateKeys {
  constructor(private readonly prefix: string) {}

  /** Set of town ids that have agents (where `claimDue` looks). */
  get towns(): string {
    return `${this.prefix}worker:towns`;
  }

  /** Sorted set: agent id -> due time (epoch ms); while claimed, the lease end. */
  due(townId: string): string {
    return `${this.prefix}worker:{town:${townId}}:due`;
  }

  /** Hash: agent id -> claim id, plus the `#seq` counter. */
  claims(townId: string): string {
    return `${this.prefix}worker:{town:${townId}}:claims`;
  }

  /** Hash: data (the record, JSON), sid, state, rv_sid, rv_reason. */
  agent(townId: string, agentId: string): string {
    return `${this.prefix}worker:{town:${townId}}:agent:${agentId}`;
  }

  /** String `<town>/<agent>`, expiring with the session's last access token. */
  session(sessionId: string): string {
    return `${this.prefix}worker:session:{${sessionId}}`;
  }
}
