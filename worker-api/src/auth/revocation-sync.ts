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

/**
 * Fail closed (issue 14): a token whose session is not in the revoked set is trusted only
 * while the set was confirmed complete within `maxStalenessMs`; past that the worker cannot
 * tell a live session from one whose revocation it missed, so it refuses with 503 until a
 * resync succeeds again.
 */
export function revocationsConfirmed(sync: RevocationSync, nowMs: number, maxStalenessMs: number): boolean {
  return sync.syncLagSeconds(nowMs) * 1000 <= maxStalenessMs;
}
