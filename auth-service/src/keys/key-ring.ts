import type { PublishedKey, SigningKey, SigningKeys } from "./signing-keys.js";

/**
 * The keys in use, replaceable at run time (SIGHUP reloads AUTH_SIGNING_KEYS_FILE).
 * Readers take `current`/`all` on every use, so a reload applies to the next request;
 * a request in flight finishes with the key it started with.
 */
export class KeyRing implements SigningKeys {
  #keys: SigningKeys;

  constructor(keys: SigningKeys) {
    this.#keys = keys;
  }

  get current(): SigningKey {
    return this.#keys.current;
  }

  get all(): readonly PublishedKey[] {
    return this.#keys.all;
  }

  /** Swaps every key at once (one assignment: no request sees half a key set). */
  replace(keys: SigningKeys): void {
    this.#keys = keys;
  }
}
