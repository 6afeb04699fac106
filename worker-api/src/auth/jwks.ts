import { type CryptoKey, importJWK, type JSONWebKeySet, type JWK, type JWSHeaderParameters } from "jose";
import { JwksError, JwksUnavailableError } from "../errors.js";
import { fetchJson, isObject } from "../http/fetch-json.js";
import type { AuthMetadataSource } from "./metadata.js";

/** Which key types can carry each pinned algorithm. */
const KEY_TYPE_OF_ALG: Record<string, string> = { ES256: "EC", EdDSA: "OKP" };

export interface JwksKeySourceOptions {
  metadata: AuthMetadataSource;
  /** An unknown kid refetches the JWKS at most this often. */
  refetchCooldownMs: number;
  now?: () => number;
}

/** Called after every successful fetch with the kids now held. */
export type KeySetListener = (kids: ReadonlySet<string>) => void;

/**
 * The auth-service's public keys, fetched from its `jwks_uri`, cached by `kid`, and
 * refetched when a token names a kid we do not hold (key rotation), at most once per
 * cooldown, and on a timer (`startRefreshing`): a key the auth-service stopped publishing
 * (removed after a compromise) is dropped within one period, and listeners (the verified
 * token cache) drop what it verified. Never fetched per request.
 */
export class JwksKeySource {
  readonly #options: JwksKeySourceOptions;
  readonly #now: () => number;
  #jwks = new Map<string, JWK>();
  readonly #imported = new Map<string, CryptoKey>();
  #lastFetchAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners = new Set<KeySetListener>();
  /** How many times the JWKS was fetched (tests and metrics). */
  fetchCount = 0;

  constructor(options: JwksKeySourceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** jose's key resolver: the key for this header's kid and alg, or a throw. */
  readonly getKey = async (header: JWSHeaderParameters): Promise<CryptoKey> => {
    const kid = header.kid;
    const alg = header.alg;
    if (typeof kid !== "string" || kid.length === 0) throw new JwksError("token has no kid");
    if (typeof alg !== "string" || !(alg in KEY_TYPE_OF_ALG)) throw new JwksError("algorithm not allowed");
    // A fetch in flight (start-up, or another request's refetch) may bring this kid.
    if (!this.#jwks.has(kid) && this.#inflight) await this.#inflight.catch(() => {});
    if (!this.#jwks.has(kid) && this.#now() - this.#lastFetchAt >= this.#options.refetchCooldownMs) {
      await this.refresh();
    }
    const jwk = this.#jwks.get(kid);
    if (!jwk) throw new JwksError("no key with this kid");
    // The key decides the algorithm, not the token (RFC 8725 §3.1).
    if (jwk.kty !== KEY_TYPE_OF_ALG[alg] || (jwk.alg !== undefined && jwk.alg !== alg)) {
      throw new JwksError("key does not match the algorithm");
    }
    const cacheKey = `${kid}\u0000${alg}`;
    let key = this.#imported.get(cacheKey);
    if (!key) {
      const imported = await importJWK(jwk, alg);
      if (imported instanceof Uint8Array) throw new JwksError("symmetric keys are never accepted");
      key = imported;
      this.#imported.set(cacheKey, key);
    }
    return key;
  };

  /** Is a key with this kid in the last fetched set? */
  holds(kid: string): boolean {
    return this.#jwks.has(kid);
  }

  onKeySet(listener: KeySetListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Refetches every `intervalMs` (unref'd timer) until `close`. A failed fetch keeps the keys
   * held (the auth-service may be restarting) and is reported to `onError`.
   */
  startRefreshing(intervalMs: number, onError: (error: Error) => void): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = setInterval(() => this.refresh().catch(onError), intervalMs);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** How many usable public keys the last successful JWKS fetch brought (0 before one). */
  get keyCount(): number {
    return this.#jwks.size;
  }

  /** Fetches the JWKS now (concurrent callers share one fetch). */
  refresh(): Promise<void> {
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(): Promise<void> {
    // The cooldown counts from the last fetch that brought keys: a worker that started
    // before the auth-service answered must not refuse valid tokens for a whole cooldown.
    const startedAt = this.#now();
    const { jwks_uri } = await this.#options.metadata.get();
    this.fetchCount += 1;
    let answer: Awaited<ReturnType<typeof fetchJson>>;
    try {
      answer = await fetchJson(jwks_uri, { headers: { accept: "application/json" } });
    } catch (cause) {
      throw new JwksUnavailableError("cannot fetch the JWKS", { cause });
    }
    const body = answer.body as JSONWebKeySet | undefined;
    if (answer.status !== 200 || !isObject(body) || !Array.isArray(body.keys)) {
      throw new JwksUnavailableError(`JWKS answered ${answer.status}`);
    }
    const next = new Map<string, JWK>();
    for (const jwk of body.keys) {
      // Only public asymmetric keys with a kid; anything with private or symmetric parts is ignored.
      if (!isObject(jwk) || typeof jwk.kid !== "string" || "d" in jwk || "k" in jwk) continue;
      if (jwk.kty !== "EC" && jwk.kty !== "OKP") continue;
      next.set(jwk.kid, jwk);
    }
    this.#jwks = next;
    this.#lastFetchAt = startedAt;
    for (const cacheKey of this.#imported.keys()) {
      if (!next.has(cacheKey.split("\u0000")[0] ?? "")) this.#imported.delete(cacheKey);
    }
    const kids: ReadonlySet<string> = new Set(next.keys());
    for (const listener of this.#listeners) listener(kids);
  }
}
