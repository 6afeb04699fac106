import type { Pool } from "undici";
import type { Operation } from "./closed-loop.js";
import { FORM_HEADERS, form, post } from "./http.js";

/**
 * Refresh chains: each virtual client holds one session's current refresh token and
 * loops `refresh_token` grants (RFC 6749 §6), carrying the new refresh token each time,
 * so every request is a real rotation. A chain whose grant fails takes a spare chain
 * when one is left (its own token may have been rotated without an answer), else stops.
 */
export class RefreshChains {
  readonly #current: string[];
  readonly #spares: string[];
  /** Grants that answered 200 with a new refresh token, over every run. */
  rotations = 0;

  constructor(
    private readonly pool: Pool,
    private readonly tokenPath: string,
    private readonly clientId: string,
    tokens: readonly string[],
    spares: readonly string[] = [],
  ) {
    this.#current = [...tokens];
    this.#spares = [...spares];
  }

  get size(): number {
    return this.#current.length;
  }

  /** The operation of chain `index` (its state carries over between runs). */
  worker(index: number): Operation {
    if (index >= this.#current.length) throw new RangeError(`only ${this.#current.length} chains were issued`);
    return async () => {
      const token = this.#current[index] as string;
      const answer = await post(this.pool, this.tokenPath, form({ grant_type: "refresh_token", refresh_token: token, client_id: this.clientId }), FORM_HEADERS);
      const next = answer.status === 200 ? nextRefreshToken(answer.body) : undefined;
      if (next !== undefined) {
        this.#current[index] = next;
        this.rotations++;
        return true;
      }
      const spare = this.#spares.pop();
      if (spare === undefined) return "stop";
      this.#current[index] = spare;
      return false;
    };
  }
}

/** The new refresh token of a token response that also carries an access token. */
function nextRefreshToken(body: string): string | undefined {
  const parsed = JSON.parse(body) as { access_token?: unknown; refresh_token?: unknown };
  if (typeof parsed.access_token !== "string" || typeof parsed.refresh_token !== "string") return undefined;
  return parsed.refresh_token.length > 0 ? parsed.refresh_token : undefined;
}
