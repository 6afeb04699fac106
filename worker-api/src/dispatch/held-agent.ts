import { ClaimLostError } from "../errors.js";
import type { Logger } from "../log.js";
import type { AgentClaim, AgentStateStore, PendingRevocation, StoredAgent } from "../state/types.js";
import type { AgentRecordData } from "./agent-record.js";

/**
 * One agent under this instance's claim while it works on it: the record as read, a
 * keeper that renews the lease (every third of it) until release, and fenced writes.
 */
export class HeldAgent {
  data: AgentRecordData | undefined;
  readonly pendingRevocation: PendingRevocation | null;
  /** Set once the pending revocation was acted on (cleared at release). */
  handledRevocationOf: string | undefined;
  #lost = false;
  #released = false;
  readonly #keeper: NodeJS.Timeout;

  constructor(
    private readonly store: AgentStateStore,
    readonly claim: AgentClaim,
    stored: StoredAgent | undefined,
    private readonly now: () => number,
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {
    this.data = stored?.data;
    this.pendingRevocation = stored?.pendingRevocation ?? null;
    this.#keeper = setInterval(() => void this.#renewLease(), Math.max(50, Math.floor(leaseMs / 3)));
    this.#keeper.unref();
  }

  get key(): string {
    return `${this.claim.townId}/${this.claim.agentId}`;
  }

  /** True once the lease ran out and another instance may have taken the agent. */
  get lost(): boolean {
    return this.#lost;
  }

  async #renewLease(): Promise<void> {
    try {
      if (!(await this.store.write(this.claim, { nowMs: this.now(), mode: { keep: true, leaseMs: this.leaseMs } }))) this.#markLost();
    } catch (error) {
      this.log.warn({ agent: this.key, err: (error as Error).message }, "claim lease not renewed");
    }
  }

  #markLost(): void {
    if (!this.#lost) this.log.warn({ agent: this.key }, "claim lost (its lease ran out); another instance took the agent");
    this.#lost = true;
    clearInterval(this.#keeper);
  }

  /** Writes the record and keeps the claim; throws ClaimLostError when the claim is gone. */
  async save(): Promise<void> {
    if (!this.data) return;
    const written = await this.store.write(this.claim, { nowMs: this.now(), data: this.data, mode: { keep: true, leaseMs: this.leaseMs } });
    if (!written) {
      this.#markLost();
      throw new ClaimLostError(`claim on ${this.key} lost`);
    }
  }

  /** Writes the record (when there is one) and releases the claim with the agent's next due time. */
  async release(nextDueMs: number | null): Promise<void> {
    clearInterval(this.#keeper);
    if (this.#lost || this.#released) return;
    this.#released = true;
    const write = { nowMs: this.now(), mode: { keep: false as const, nextDueMs }, ...(this.data ? { data: this.data } : {}) };
    const written = await this.store.write(this.claim, this.handledRevocationOf === undefined ? write : { ...write, handledRevocationOf: this.handledRevocationOf });
    if (!written) this.#markLost();
  }

}
