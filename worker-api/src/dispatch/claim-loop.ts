import type { Logger } from "../log.js";
import type { AgentClaim, AgentStateStore } from "../state/types.js";

export interface ClaimLoopOptions {
  store: AgentStateStore;
  now: () => number;
  leaseMs: number;
  /** Longest sleep between two looks at the due set (agents other instances added, clock jumps). */
  pollMs: number;
  /** Works on one claimed agent; must release the claim (or let its lease run out). */
  handle: (claim: AgentClaim) => Promise<void>;
  log: Logger;
  /** Runs before each look (the dispatcher restores what a Redis that lost its data forgot). */
  beforeLook?: () => Promise<void>;
  /** Most agents claimed at one look (each handled concurrently). */
  batch?: number;
}

const MIN_SLEEP_MS = 20;

/**
 * The instance's wake-up: claims the agents whose due time has come (the state store is
 * the source of truth; this timer only wakes the instance), hands each to `handle`, then
 * sleeps until the next due time or at most `pollMs`. `close` stops claiming and waits
 * for the agents it holds (SIGTERM drain).
 */
export class ClaimLoop {
  readonly #o: ClaimLoopOptions;
  readonly #working = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: ClaimLoopOptions) {
    this.#o = options;
  }

  start(): void {
    this.wake();
  }

  /** Looks at the due set now (a local change made an agent due). */
  wake(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#look().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** One look (tests call it to step an injected clock); answers how many agents it claimed. */
  async #look(): Promise<void> {
    let sleepMs = this.#o.pollMs;
    try {
      await this.#o.beforeLook?.();
      const claims = await this.#o.store.claimDue(this.#o.now(), this.#o.leaseMs, this.#o.batch ?? 50);
      for (const claim of claims) this.#track(claim);
      const next = claims.length >= (this.#o.batch ?? 50) ? this.#o.now() : await this.#o.store.nextDueMs();
      if (next !== undefined) sleepMs = Math.min(sleepMs, Math.max(MIN_SLEEP_MS, next - this.#o.now()));
    } catch (error) {
      this.#o.log.warn({ err: (error as Error).message }, "state store unavailable; claiming retried");
    }
    if (this.#closed) return;
    this.#timer = setTimeout(() => this.wake(), sleepMs);
    this.#timer.unref();
  }

  #track(claim: AgentClaim): void {
    const work = this.#o.handle(claim).catch((error: Error) => this.#o.log.warn({ agent: `${claim.townId}/${claim.agentId}`, err: error.message }, "agent check failed"));
    this.#working.add(work);
    // The agent's new due time may come before this loop's next look (a superseded session to revoke soon).
    void work.finally(() => {
      this.#working.delete(work);
      this.wake();
    });
  }

  /** Agents being worked on now. */
  get held(): number {
    return this.#working.size;
  }

  /** Stops claiming; resolves once every agent this loop holds was released. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
    while (this.#working.size > 0) await Promise.all([...this.#working]);
  }
}
