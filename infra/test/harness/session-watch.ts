import type { ProcessStack } from "./stack.js";

type Json = Record<string, unknown>;

/**
 * Polls the auth-service's admin API for the agents' sessions and keeps every session it
 * saw (the newest reading of each), since an ended session stops being listed once its
 * last access token has expired; and the most sessions live at once per agent.
 */
export class SessionWatch {
  readonly seen = new Map<string, Map<string, Json>>();
  readonly maxLive = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  #polling: Promise<void> | undefined;

  constructor(
    private readonly stack: ProcessStack,
    private readonly agentIds: string[],
    intervalMs = 500,
  ) {
    this.#timer = setInterval(() => {
      this.#polling ??= this.poll().finally(() => (this.#polling = undefined));
    }, intervalMs);
  }

  async poll(): Promise<void> {
    for (const agentId of this.agentIds) {
      let sessions: Json[];
      try {
        sessions = await this.stack.sessions(agentId);
      } catch {
        continue;
      }
      const known = this.seen.get(agentId) ?? new Map<string, Json>();
      for (const s of sessions) known.set(String(s.session_id), s);
      this.seen.set(agentId, known);
      const live = sessions.filter((s) => s.state === "active").length;
      this.maxLive.set(agentId, Math.max(live, this.maxLive.get(agentId) ?? 0));
    }
  }

  /** Stops polling after one last reading. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#polling;
    await this.poll();
  }
}
