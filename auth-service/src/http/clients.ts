import { createHash, timingSafeEqual } from "node:crypto";
import type { DispatcherClient } from "../config.js";

export type ClientKind = "dispatcher" | "container";
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** The client a request authenticated as. */
export interface AuthenticatedClient {
  id: string;
  kind: ClientKind;
  method: ClientAuthMethod;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * The registered clients: confidential dispatcher clients (AUTH_DISPATCHER_CLIENTS) and
 * the public container client, which has no secret (RFC 6749 §2.1).
 */
export class ClientRegistry {
  readonly #secrets = new Map<string, Buffer>();
  readonly #unknown = digest("\u0000no-such-client");
  readonly containerClientId: string;

  constructor(dispatchers: readonly DispatcherClient[], containerClientId: string) {
    for (const client of dispatchers) this.#secrets.set(client.id, digest(client.secret));
    this.containerClientId = containerClientId;
  }

  isDispatcher(id: string): boolean {
    return this.#secrets.has(id);
  }

  isContainer(id: string): boolean {
    return id === this.containerClientId;
  }

  /** Constant time on equal-length digests; an unknown id costs the same as a known one. */
  checkSecret(id: string, secret: string): boolean {
    const expected = this.#secrets.get(id);
    const equal = timingSafeEqual(expected ?? this.#unknown, digest(secret));
    return expected !== undefined && equal;
  }
}
