import type { RevocationReason } from "@gastown/token-policy";

export interface RevocationSync {
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Seconds since the revoked set was last confirmed complete, at `nowMs`. Messages
   * carry no publish time (DESIGN.md {sid, reason, until}), so this is the observable
   * bound: a revocation whose message was missed lands at the next successful resync.
   */
  syncLagSeconds(nowMs: number): number;
  /**
   * Why a session was revoked, `undefined` when no revocation of it is known (or its reason
   * is gone: the store lost it). Throws when the source cannot be read.
   */
  reasonOf(sid: string): Promise<RevocationReason | undefined>;
}
