import type { AccessTokenClaims } from "@gastown/token-policy";

interface Entry {
  /** The exact token string that was verified. */
  token: string;
  claims: AccessTokenClaims;
  /** The kid of the key that verified it ("" when not told: dropped at any key-set change). */
  kid: string;
}

/**
 * Tokens whose signature and claims were already verified, so an agent's repeated calls
 * with one token skip the signature check. Bounded (least recently used goes first), and
 * an entry is good only until the token's `exp`; after that the full verification decides
 * again. The revocation check is not cached: the caller runs it on every request.
 *
 * Keyed by the token's JWS signature segment (RFC 7515 §7.1, the text after the last
 * "."), and a hit also needs the presented token to be the identical string that was
 * verified. Why this is safe, and why the comparison need not be constant-time:
 * - The key only finds the entry; no property of the signature scheme is relied on.
 *   Claims come back only for the very string that passed full verification; a token
 *   that shares a cached signature segment but differs in any header or payload byte is
 *   a miss and goes through full verification (which it fails), and never replaces the
 *   entry unless it verifies itself.
 * - Nothing secret is compared against attacker-chosen input in a way that helps forge:
 *   the stored string is itself a bearer token, and the string comparison is reached only
 *   when the presented signature segment already equals a cached one, i.e. by someone who
 *   holds the 86-character (ES256) signature of a token this worker verified, which exists
 *   nowhere but inside that token (it is never logged or exposed). Header and payload are
 *   integrity-protected, not confidential, and the signature cannot be computed.
 * - It replaces a SHA-256 of every presented token (~1.4 µs, the largest cost of a hit).
 * The tokens held here live only in this process's memory, never leave it, and go at
 * their `exp`, when evicted, or when the key that verified them leaves the JWKS
 * (`retainKids`), whichever comes first.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer");
    this.#maxEntries = maxEntries;
  }

  /** The map key of a token: its signature segment (the whole string when it has no "."). */
  static keyOf(token: string): string {
    return token.slice(token.lastIndexOf(".") + 1);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached claims when this exact token was verified before and `nowSec` is before its exp; counted as a hit or a miss. */
  get(token: string, nowSec: number): AccessTokenClaims | undefined {
    const claims = this.lookup(token, nowSec);
    this.countLookup(claims !== undefined);
    return claims;
  }

  /** Like `get`, without counting (the caller counts once it knows the lookup was a real one). */
  lookup(token: string, nowSec: number): AccessTokenClaims | undefined {
    const key = VerifiedTokenCache.keyOf(token);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    this.#entries.delete(key);
    if (entry.claims.exp <= nowSec) return undefined;
    this.#entries.set(key, entry); // most recently used last
    return entry.claims;
  }

  countLookup(hit: boolean): void {
    if (hit) this.hits += 1;
    else this.misses += 1;
  }

  /** Records a token that passed full verification (only then), with the kid of the key that verified it. */
  set(token: string, claims: AccessTokenClaims, nowSec: number, kid = ""): void {
    if (claims.exp <= nowSec) return;
    const key = VerifiedTokenCache.keyOf(token);
    this.#entries.delete(key);
    this.#entries.set(key, { token, claims, kid });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  /** Drops every entry verified by a key whose kid is not in `kids` (the JWKS changed). */
  retainKids(kids: ReadonlySet<string>): void {
    for (const [key, entry] of this.#entries) if (!kids.has(entry.kid)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
