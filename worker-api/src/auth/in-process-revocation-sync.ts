import type { InProcessRevocationBus, RevocationReason } from "@gastown/token-policy";
import type { RevocationList } from "./revocation-list.js";
import type { RevocationSync } from "./revocation-sync.js";

/** Without Redis: the auth-service's in-process bus (development, or both in one process). */
export class InProcessRevocationSync implements RevocationSync {
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: InProcessRevocationBus,
    private readonly list: RevocationList,
    private readonly nowSec: () => number,
  ) {}

  async start(): Promise<void> {
    this.#unsubscribe = this.bus.subscribe((event) => this.list.add(event.sid, event.until, event));
    // The bus keeps whole events: what was revoked before the start arrives with its reason.
    for (const event of this.bus.revokedSince(this.nowSec())) this.list.add(event.sid, event.until, event, "resync");
  }

  async reasonOf(sid: string): Promise<RevocationReason | undefined> {
    return this.list.reasonOf(sid) ?? this.bus.revokedSince(this.nowSec()).find((event) => event.sid === sid)?.reason;
  }

  async close(): Promise<void> {
    this.#unsubscribe?.();
  }

  /** In process, delivery is synchronous: the set is always complete. */
  syncLagSeconds(): number {
    return 0;
  }
}
