import { type RandomSource, retryDelayMs, type TokenPolicy } from "@gastown/token-policy";
import type { Logger } from "pino";
import type { AgentSession } from "../session/agent-session.js";
import { systemTimers, type TimerHandle, type Timers } from "../session/timers.js";

/** One post to the worker-api: an event, a merge callback or a completion report. */
export interface OutboxItem {
  url: string;
  body: unknown;
  /** For logs: `event`, `merge`, `done`, `completed`. */
  what: string;
}

/** Where an outbox reports its size and its drops (the supervisor's metrics). */
export interface OutboxMeter {
  pendingChanged(delta: number): void;
  dropped(): void;
  /** An item refused at `enqueue` for its size. */
  oversized?(): void;
}

export interface OutboxOptions {
  session: AgentSession;
  policy: TokenPolicy;
  log: Logger;
  /** Items kept at most; when full the oldest is dropped. Default `OUTBOX_CAPACITY`. */
  capacity?: number;
  /** Bytes (JSON bodies) kept at most; past it the oldest are dropped. Default `OUTBOX_MAX_BYTES`. */
  maxBytes?: number;
  timers?: Timers;
  random?: RandomSource;
  meter?: OutboxMeter;
}

export const OUTBOX_CAPACITY = 10_000;
/**
 * The largest body one callback may have (its JSON): larger ones are refused at `enqueue`,
 * logged and counted, never queued. An agent's stdout lines are cut at the same size
 * (`AGENT_LINE_MAX_BYTES`), so only a body built otherwise can reach it.
 */
export const OUTBOX_ITEM_MAX_BYTES = 64 * 1024;
/** Bytes of bodies one outbox holds at most (with `OUTBOX_CAPACITY`, its memory bound). */
export const OUTBOX_MAX_BYTES = 16 * 1024 * 1024;

/** A queued item with its body serialised once, at `enqueue`. */
interface Queued {
  item: OutboxItem;
  payload: string;
  bytes: number;
}

/**
 * Transient answers are retried: 0 (network error), 408, 429, 5xx, and 401 (the session
 * already refreshed once and retried; a pushed pair may still arrive). RFC 9110 §15.5.9
 * (408), RFC 6585 §4 (429), RFC 9110 §15.6 (5xx).
 */
export function isTransientStatus(status: number): boolean {
  return status === 0 || status === 401 || status === 408 || status === 429 || status >= 500;
}

/**
 * A per-agent queue of posts to the worker-api, sent one at a time and in order. A
 * transient failure is retried with exponential backoff and full jitter
 * (`retryDelayMs` of the token policy) until it goes through; any other 4xx drops that
 * one item with a warning. Bounded in number and in bytes: when full, the oldest item is
 * dropped and counted; a single item over `OUTBOX_ITEM_MAX_BYTES` is refused and counted.
 * Every send takes the access token from the session at send time.
 */
export class Outbox {
  readonly #queue: Queued[] = [];
  readonly #options: OutboxOptions;
  readonly #capacity: number;
  readonly #maxBytes: number;
  #bytes = 0;
  readonly #timers: Timers;
  readonly #idleWaiters: (() => void)[] = [];
  #running = false;
  #closed = false;
  #sleep: { handle: TimerHandle; wake: () => void } | null = null;
  #abort: AbortController | null = null;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#capacity = Math.max(1, options.capacity ?? OUTBOX_CAPACITY);
    this.#maxBytes = Math.max(OUTBOX_ITEM_MAX_BYTES, options.maxBytes ?? OUTBOX_MAX_BYTES);
    this.#timers = options.timers ?? systemTimers;
  }

  /** Items not yet delivered (including one in flight). */
  get pending(): number {
    return this.#queue.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes of the bodies waiting (including one in flight). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Queues a post (ignored once closed); drops the oldest while the queue is full (in
   * items or bytes). Answers false when the item was not queued: the outbox is closed, or
   * the body is over `OUTBOX_ITEM_MAX_BYTES` (refused, logged and counted).
   */
  enqueue(item: OutboxItem): boolean {
    if (this.#closed) {
      this.#options.log.warn({ what: item.what }, "outbox closed; callback not sent");
      return false;
    }
    const payload = JSON.stringify(item.body) ?? "null";
    const size = Buffer.byteLength(payload);
    if (size > OUTBOX_ITEM_MAX_BYTES) {
      this.#options.meter?.oversized?.();
      this.#options.log.warn({ what: item.what, bytes: size, limit: OUTBOX_ITEM_MAX_BYTES, sessionId: this.#sessionId() }, "callback too large; refused");
      return false;
    }
    while (this.#queue.length >= this.#capacity || (this.#queue.length > 0 && this.#bytes + size > this.#maxBytes)) {
      const oldest = this.#queue.shift()!;
      this.#bytes -= oldest.bytes;
      this.#changed(-1);
      this.#options.meter?.dropped();
      this.#options.log.warn({ what: oldest.item.what, capacity: this.#capacity, maxBytes: this.#maxBytes, sessionId: this.#sessionId() }, "outbox full; oldest callback dropped");
    }
    this.#queue.push({ item, payload, bytes: size });
    this.#bytes += size;
    this.#changed(1);
    if (!this.#running) void this.#run();
    return true;
  }

  /** Resolves once the queue is empty (at once if it is), or the outbox is closed. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Tries to deliver what is left for at most `timeoutMs` (a backoff wait is cut short
   * once), then closes; returns and logs the number of items given up.
   */
  async flush(timeoutMs: number): Promise<number> {
    if (this.#closed) return this.#queue.length;
    this.#sleep?.wake();
    let timer: TimerHandle | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = this.#timers.setTimeout(resolve, timeoutMs)))]);
    if (timer !== undefined) this.#timers.clearTimeout(timer);
    return this.close();
  }

  /** Stops sending (an in-flight post is aborted); returns and logs the number of items given up. */
  close(): number {
    if (this.#closed) return this.#queue.length;
    this.#closed = true;
    const left = this.#queue.length;
    if (left > 0) this.#options.log.warn({ left, sessionId: this.#sessionId() }, "outbox closed with undelivered callbacks");
    this.#abort?.abort();
    this.#sleep?.wake();
    this.#changed(-left);
    this.#queue.length = 0;
    this.#bytes = 0;
    this.#settleIdle();
    return left;
  }

  async #run(): Promise<void> {
    this.#running = true;
    let failures = 0;
    try {
      while (!this.#closed) {
        const queued = this.#queue[0];
        if (queued === undefined) break;
        const { item } = queued;
        const status = await this.#send(queued);
        if (this.#closed) break;
        if (status >= 200 && status < 400) {
          failures = 0;
          this.#remove(queued);
        } else if (isTransientStatus(status)) {
          failures += 1;
          const delayMs = retryDelayMs(failures - 1, this.#options.policy, this.#options.random);
          this.#options.log.info({ what: item.what, status, attempt: failures, retryInMs: delayMs, sessionId: this.#sessionId() }, "callback to worker-api failed; retrying");
          await this.#wait(delayMs);
        } else {
          failures = 0;
          this.#options.log.warn({ what: item.what, status, sessionId: this.#sessionId() }, "worker-api refused a callback for good; dropped");
          this.#remove(queued);
        }
      }
    } finally {
      this.#running = false;
      this.#settleIdle();
    }
  }

  /** The status, or 0 when the worker-api was unreachable (or the send was aborted). */
  async #send({ item, payload }: Queued): Promise<number> {
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const res = await this.#options.session.fetch(item.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: payload,
        // A worker-api that accepts and never answers must not hold the queue forever: the
        // same bound as a token request (the policy's retry cap), then it counts as unreachable.
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(this.#options.policy.retryMaxMs)]),
      });
      await res.body?.cancel();
      return res.status;
    } catch (error) {
      if (!this.#closed) this.#options.log.debug({ what: item.what, err: (error as Error).message, sessionId: this.#sessionId() }, "callback send failed");
      return 0;
    } finally {
      this.#abort = null;
    }
  }

  /** Removes `queued` if it is still the head (it may have been dropped as the oldest meanwhile). */
  #remove(queued: Queued): void {
    if (this.#queue[0] !== queued) return;
    this.#queue.shift();
    this.#bytes -= queued.bytes;
    this.#changed(-1);
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleep: { handle: TimerHandle; wake: () => void } = { handle: undefined, wake: () => {} };
      sleep.wake = () => {
        if (this.#sleep !== sleep) return;
        this.#timers.clearTimeout(sleep.handle);
        this.#sleep = null;
        resolve();
      };
      this.#sleep = sleep;
      sleep.handle = this.#timers.setTimeout(sleep.wake, ms);
    });
  }

  #settleIdle(): void {
    if (this.#queue.length > 0 && !this.#closed) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #changed(delta: number): void {
    if (delta !== 0) this.#options.meter?.pendingChanged(delta);
  }

  #sessionId(): string {
    return this.#options.session.status().session_id;
  }
}
