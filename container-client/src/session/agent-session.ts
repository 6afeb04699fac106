import { EventEmitter } from "node:events";
import { type RandomSource, refreshDelayMs, retryDelayMs, type TokenPolicy } from "@gastown/token-policy";
import { SessionClosedError, TokenEndpointError } from "../errors.js";
import type { SessionEvents, SessionStatus } from "./events.js";
import { type Clock, sleep, systemClock, systemTimers, type Timers } from "./timers.js";
import { type FetchFunction, refreshGrant } from "./token-endpoint.js";
import { parseTokenPair, type TokenPair } from "./token-pair.js";

/** Everything an `AgentSession` needs; only the first four are required. */
export interface AgentSessionOptions {
  /** The auth-service token endpoint, e.g. `http://127.0.0.1:4000/oauth2/token`. */
  tokenEndpoint: string;
  /** The public client the session belongs to (`gastown-container`). */
  clientId: string;
  /** The pair from the dispatch. */
  tokens: TokenPair;
  /** Every refresh rule (refresh-ahead point, jitter, backoff, minimum interval) comes from here. */
  policy: TokenPolicy;
  /** Epoch ms; default `Date.now`. */
  clock?: Clock;
  /** Default: Node timers (unref'd). */
  timers?: Timers;
  /** Source of jitter in [0, 1); default `Math.random`. */
  random?: RandomSource;
  /** Default: global `fetch`. Used for the token endpoint and for `session.fetch`. */
  fetch?: FetchFunction;
}

/**
 * One agent session: holds its access and refresh token and keeps them fresh with
 * standard `refresh_token` grants, so a long-running agent never sees its token expire.
 *
 * - Refreshes at the policy's refresh-ahead point, counted from `expires_in` against the
 *   local receipt time (so clock skew does not matter), with jitter.
 * - Single-flight: any number of concurrent callers cause at most one refresh.
 * - Network or 5xx failure: exponential backoff with full jitter; the current access
 *   token keeps being served while valid, and retries go on after that.
 * - `invalid_grant` (or any other permanent OAuth error): the session is lost, `"lost"`
 *   is emitted once and refreshing stops. The last access token is still served until a
 *   fresh pair is pushed with `setTokens`.
 *
 * Events: `"refreshed"`, `"refresh_failed"`, `"lost"`, `"tokens"` (see `SessionEvents`).
 *
 * @example
 * ```ts
 * const session = new AgentSession({
 *   tokenEndpoint: "http://127.0.0.1:4000/oauth2/token",
 *   clientId: "gastown-container",
 *   tokens: dispatchResponse, // {access_token, refresh_token, expires_in, session_id}
 *   policy: loadPolicy(),
 * });
 * session.on("lost", ({ sessionId }) => log.warn({ sessionId }, "session lost"));
 * const res = await session.fetch(`${apiUrl}/api/towns/t1/agents/mayor/heartbeat`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: "{}",
 * });
 * ```
 */
export class AgentSession extends EventEmitter<SessionEvents> {
  readonly #endpoint: string;
  readonly #clientId: string;
  readonly #policy: TokenPolicy;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #random: RandomSource;
  readonly #fetch: FetchFunction;

  #tokens: TokenPair;
  #expiresAt = 0;
  /** Bumped by every pushed pair, so a refresh started for an older pair is discarded. */
  #epoch = 0;
  #generation = 0;
  #lastRefreshAt: number | null = null;
  #lastAttemptAt: number | null = null;
  #failures = 0;
  #lost = false;
  #closed = false;
  #timer: unknown = undefined;
  #nextRefreshAt = Number.POSITIVE_INFINITY;
  #inFlight: Promise<boolean> | null = null;

  constructor(options: AgentSessionOptions) {
    super();
    this.#endpoint = options.tokenEndpoint;
    this.#clientId = options.clientId;
    this.#policy = options.policy;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#tokens = parseTokenPair(options.tokens);
    this.#install(this.#tokens);
  }

  /**
   * The current access token. Never waits on the auth-service while the token is valid:
   * at the refresh point it starts the (single-flight) refresh in the background. Only an
   * expired token waits for a refresh that is already in flight.
   *
   * @example
   * ```ts
   * const token = await session.getAccessToken();
   * ```
   */
  async getAccessToken(): Promise<string> {
    if (this.#closed) throw new SessionClosedError(`session ${this.#tokens.session_id} is closed`);
    const now = this.#clock();
    if (!this.#lost && this.#inFlight === null && now >= this.#nextRefreshAt) void this.#refresh();
    if (this.#inFlight !== null && now >= this.#expiresAt) await this.#inFlight;
    return this.#tokens.access_token;
  }

  /**
   * `fetch` with `Authorization: Bearer <current access token>`. On a 401 that carries the
   * token just used, refreshes once (joining a refresh in flight) and retries once; a
   * second 401 is returned as is. The body must be re-sendable (a string, not a stream).
   *
   * @example
   * ```ts
   * const res = await session.fetch(url, { method: "POST", body: JSON.stringify(event) });
   * ```
   */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const used = await this.getAccessToken();
    const first = await this.#send(input, init, used);
    if (first.status !== 401 || this.#closed) return first;
    if (!this.#lost && this.#tokens.access_token === used) await this.#refreshAfter401(used);
    const fresh = this.#tokens.access_token;
    if (fresh === used) return first;
    await first.body?.cancel();
    return this.#send(input, init, fresh);
  }

  /**
   * Replaces the session's tokens at once with a pushed pair (a fresh dispatch): the very
   * next `getAccessToken` returns the new access token, a refresh in flight for the old
   * pair is discarded, and a lost session becomes healthy again.
   *
   * @example
   * ```ts
   * session.setTokens(await dispatchFreshSession());
   * ```
   */
  setTokens(pair: TokenPair): void {
    if (this.#closed) throw new SessionClosedError(`session ${this.#tokens.session_id} is closed`);
    const tokens = parseTokenPair(pair);
    this.#epoch += 1;
    this.#inFlight = null;
    this.#lost = false;
    this.#failures = 0;
    this.#generation = 0;
    this.#lastRefreshAt = null;
    this.#lastAttemptAt = null;
    this.#install(tokens);
    this.emit("tokens", { sessionId: tokens.session_id, reason: "push" });
  }

  /**
   * The session's health, never a token. Times are Unix seconds.
   *
   * @example
   * ```ts
   * if (session.status().lost) await pushFreshPair();
   * ```
   */
  /** Epoch ms when the current access token expires (local receipt time + `expires_in`); `status()` has it in whole seconds. */
  get accessExpiresAtMs(): number {
    return this.#expiresAt;
  }

  status(): SessionStatus {
    return {
      session_id: this.#tokens.session_id,
      access_expires_at: Math.floor(this.#expiresAt / 1000),
      last_refresh_at: this.#lastRefreshAt === null ? null : Math.floor(this.#lastRefreshAt / 1000),
      refresh_failures: this.#failures,
      lost: this.#lost,
    };
  }

  /** Stops refreshing for good; later calls to `getAccessToken` throw `SessionClosedError`. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
  }

  #install(tokens: TokenPair): void {
    const receivedAt = this.#clock();
    this.#tokens = tokens;
    this.#expiresAt = receivedAt + tokens.expires_in * 1000;
    this.#schedule(refreshDelayMs(tokens.expires_in, this.#policy, this.#random));
  }

  #schedule(delayMs: number): void {
    this.#clearTimer();
    this.#nextRefreshAt = this.#clock() + delayMs;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      void this.#refresh();
    }, delayMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextRefreshAt = Number.POSITIVE_INFINITY;
  }

  /** Single-flight: every caller during a refresh shares its promise (true when the token changed). */
  #refresh(): Promise<boolean> {
    if (this.#inFlight !== null) return this.#inFlight;
    if (this.#lost || this.#closed) return Promise.resolve(false);
    this.#clearTimer();
    const flight = this.#runRefresh().finally(() => {
      if (this.#inFlight === flight) this.#inFlight = null;
    });
    this.#inFlight = flight;
    return flight;
  }

  async #runRefresh(): Promise<boolean> {
    const epoch = this.#epoch;
    const sessionId = this.#tokens.session_id;
    this.#lastAttemptAt = this.#clock();
    let outcome: { pair: TokenPair } | { error: unknown };
    try {
      const pair = await refreshGrant({
        endpoint: this.#endpoint,
        clientId: this.#clientId,
        refreshToken: this.#tokens.refresh_token,
        sessionId,
        fetch: this.#fetch,
        timeoutMs: this.#policy.retryMaxMs,
      });
      outcome = { pair };
    } catch (error) {
      outcome = { error };
    }
    if (epoch !== this.#epoch || this.#closed) return false;
    if ("pair" in outcome) {
      this.#install(outcome.pair);
      this.#lastRefreshAt = this.#clock();
      this.#failures = 0;
      this.#generation += 1;
      const event = {
        sessionId: outcome.pair.session_id,
        generation: this.#generation,
        expiresIn: outcome.pair.expires_in,
        nextRefreshAt: this.#nextRefreshAt,
      };
      this.emit("tokens", { sessionId: outcome.pair.session_id, reason: "refresh" });
      this.emit("refreshed", event);
      return true;
    }
    const error = outcome.error;
    if (error instanceof TokenEndpointError && !error.transient) {
      this.#lost = true;
      this.#clearTimer();
      this.emit("lost", { sessionId, error });
      return false;
    }
    const attempt = this.#failures;
    this.#failures += 1;
    const retryInMs = retryDelayMs(attempt, this.#policy, this.#random);
    this.#schedule(retryInMs);
    this.emit("refresh_failed", { sessionId, error, attempt, retryInMs });
    return false;
  }

  /** After a 401 with the current token: join a refresh in flight, or start one (never sooner than the policy's minimum interval). */
  async #refreshAfter401(used: string): Promise<void> {
    if (this.#inFlight !== null) {
      await this.#inFlight;
      return;
    }
    const wait = this.#lastAttemptAt === null ? 0 : this.#lastAttemptAt + this.#policy.minRefreshIntervalMs - this.#clock();
    if (wait > 0) await sleep(this.#timers, wait);
    if (this.#lost || this.#closed || this.#tokens.access_token !== used) return;
    await this.#refresh();
  }

  async #send(input: string | URL, init: RequestInit, token: string): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${token}`);
    return this.#fetch(input, { ...init, headers });
  }
}
