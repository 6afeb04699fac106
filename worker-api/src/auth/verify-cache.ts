import { createHash } from "node:crypto";
import type { AccessTokenClaims } from "@gastown/token-policy";

/**
 * Tokens whose signature and claims were already verified, so an agent's repeated calls
 * with one token skip the signature check. Bounded (least recently used goes first),
 * keyed by a SHA-256 of the token (the token itself is never kept), and an entry is good
 * only until the token's `exp`; after that the full verification decides again. The
 * revocation check is not cached: the caller runs it on every request.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, AccessTokenClaims>();
  readonly #maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer");
    this.#maxEntries = maxEntries;
  }

  static keyOf(token: string): string {
    return createHash("sha256").update(token).digest("base64url");
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached claims when the token was verified before and `nowSec` is before its exp. */
  get(token: string, nowSec: number): AccessTokenClaims | undefined {
    const key = VerifiedTokenCache.keyOf(token);
    const claims = this.#entries.get(key);
    if (!claims) {
      this.misses += 1;
      return undefined;
    }
    this.#entries.delete(key);
    if (claims.exp <= nowSec) {
      this.misses += 1;
      return undefined;
    }
    this.#entries.set(key, claims); // most recently used last
    this.hits += 1;
    return claims;
  }

  set(token: string, claims: AccessTokenClaims, nowSec: number): void {
    if (claims.exp <= nowSec) return;
    const key = VerifiedTokenCache.keyOf(token);
    this.#entries.delete(key);
    this.#entries.set(key, claims);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
