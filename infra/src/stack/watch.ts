import type { ManagedAgent, RunningSupervisor } from "@gastown/container-client";
import type { StackEvent } from "./events.js";

export type EventSink = (event: StackEvent) => void;

const POLL_MS = 100;

function callLine(line: string): { call: string; status: number; ok: boolean } | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line) as { call?: unknown; status?: unknown; ok?: unknown };
    if (typeof value.call === "string" && typeof value.status === "number") return { call: value.call, status: value.status, ok: value.ok === true };
  } catch {
    // not a call line
  }
  return undefined;
}

/**
 * Follows the supervisor's agents: each new agent's stdout call lines and its session's
 * events (refreshed, refresh_failed, lost, pushed pairs). Knows which session belongs to
 * which agent, for revocation lines. Returns a stop function.
 */
export class AgentWatch {
  readonly #seen = new Set<ManagedAgent>();
  readonly #sessionOwner = new Map<string, string>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly supervisor: RunningSupervisor,
    private readonly sink: EventSink,
  ) {
    this.#timer = setInterval(() => this.#scan(), POLL_MS);
    this.#timer.unref();
  }

  /** The agent a session belongs to, when it was seen. */
  ownerOf(sessionId: string): string | null {
    return this.#sessionOwner.get(sessionId) ?? null;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #scan(): void {
    for (const agent of this.supervisor.agents.values()) {
      if (!this.#seen.has(agent) && agent.state !== "starting") this.#attach(agent);
    }
  }

  #attach(agent: ManagedAgent): void {
    this.#seen.add(agent);
    const name = agent.spec.agentId;
    const session = agent.session;
    const first = session.status().session_id;
    this.#sessionOwner.set(first, name);
    this.sink({ kind: "started", agent: name, pid: agent.pid, sessionId: first });
    const onLine = (line: string) => {
      const call = callLine(line);
      if (call) this.sink({ kind: "call", agent: name, ...call });
    };
    for (const line of agent.output) onLine(line);
    agent.on("output", onLine);
    session.on("refreshed", (e) => {
      this.sink({ kind: "refresh", agent: name, sessionId: e.sessionId, generation: e.generation ?? 0, expiresIn: e.expiresIn, nextInMs: Math.max(0, e.nextRefreshAt - Date.now()) });
    });
    session.on("refresh_failed", (e) => this.sink({ kind: "retry", agent: name, sessionId: e.sessionId, attempt: e.attempt, retryInMs: e.retryInMs }));
    session.on("lost", (e) => this.sink({ kind: "lost", agent: name, sessionId: e.sessionId, code: e.error.oauthError ?? e.error.code }));
    session.on("tokens", (e) => {
      if (e.reason !== "push") return;
      this.#sessionOwner.set(e.sessionId, name);
      this.sink({ kind: "push", agent: name, sessionId: e.sessionId });
    });
    void agent.finished.then(() => this.sink({ kind: "ended", agent: name, state: agent.state, code: agent.exit?.code ?? null }));
  }
}
