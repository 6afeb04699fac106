import type { RevocationEvent, RevocationProblem, RevocationReason } from "@gastown/token-policy";

export type RevocationListener = (event: RevocationEvent) => void;
/** `message`: a pub/sub (or in-process) event; `resync`: read from the revoked set. */
export type NewRevocationListener = (via: "message" | "resync") => void;
/** A message or revoked-set entry that failed validation (metrics). */
export type RefusedRevocationListener = (problem: RevocationProblem) => void;

/**
 * Revoked session ids held in memory until their access tokens would have expired
 * (`until`, Unix seconds), with their reason when known. Every request asks `isRevoked`,
 * cache hit or not.
 */
export class RevocationList {
  readonly #until = new Map<string, number>();
  readonly #reasons = new Map<string, RevocationReason>();
  #wantsReason: (sid: string) => boolean = () => false;
  readonly #listeners = new Set<RevocationListener>();
  readonly #newListeners = new Set<NewRevocationListener>();
  readonly #refusedListeners = new Set<RefusedRevocationListener>();
  readonly #nowSec: () => number;

  constructor(nowSec: () => number) {
    this.#nowSec = nowSec;
  }

  isRevoked(sid: string): boolean {
    const until = this.#until.get(sid);
    if (until === undefined) return false;
    if (until < this.#nowSec()) {
      this.#forget(sid);
      return false;
    }
    return true;
  }

  /**
   * Records a revocation; `event` (with its reason) also reaches the listeners. `via` says
   * how the id arrived (metrics): a message by default when there is an event.
   */
  add(sid: string, until: number, event?: RevocationEvent, via: "message" | "resync" = event ? "message" : "resync"): void {
    const known = this.#until.get(sid);
    if (known === undefined || known < until) this.#until.set(sid, until);
    if (event && !this.#reasons.has(sid)) this.#reasons.set(sid, event.reason);
    if (known === undefined) for (const listener of this.#newListeners) listener(via);
    if (event) for (const listener of this.#listeners) listener(event);
  }

  /** Why a held session was revoked, when a message (or a resync that read it) said so. */
  reasonOf(sid: string): RevocationReason | undefined {
    return this.isRevoked(sid) ? this.#reasons.get(sid) : undefined;
  }

  /**
   * Which session ids a resync should read the reason of (the dispatcher's own sessions):
   * a revocation learnt without its message then reaches the listeners with its reason.
   */
  wantReasonsFor(wanted: (sid: string) => boolean): void {
    this.#wantsReason = wanted;
  }

  /** Held ids without a known reason that someone wants one for. */
  missingReasons(sids: readonly string[]): string[] {
    return sids.filter((sid) => !this.#reasons.has(sid) && this.isRevoked(sid) && this.#wantsReason(sid));
  }

  /** Listeners see every revocation with its reason: messages, and resynced ids whose reason was read. */
  onEvent(listener: RevocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called once per session id newly held (metrics: how revocations arrive). */
  onNew(listener: NewRevocationListener): () => void {
    this.#newListeners.add(listener);
    return () => this.#newListeners.delete(listener);
  }

  /** A message or revoked-set entry was dropped as invalid: nothing is held, listeners count it. */
  refuse(problem: RevocationProblem): void {
    for (const listener of this.#refusedListeners) listener(problem);
  }

  onRefused(listener: RefusedRevocationListener): () => void {
    this.#refusedListeners.add(listener);
    return () => this.#refusedListeners.delete(listener);
  }

  prune(): void {
    const now = this.#nowSec();
    for (const [sid, until] of this.#until) if (until < now) this.#forget(sid);
  }

  #forget(sid: string): void {
    this.#until.delete(sid);
    this.#reasons.delete(sid);
  }

  get size(): number {
    return this.#until.size;
  }
}
