import { createRedisConnection, createRedisSubscriber, type RedisConnection, type RedisSettings } from "@gastown/service-kit";
import { latestRevocationUntil, parseRevocationMessage, type RevocationReason, revocationChannel, revokedEntryProblem, revokedSetKey, type TokenPolicy } from "@gastown/token-policy";
import type { Logger } from "../log.js";
import type { RevocationList } from "./revocation-list.js";
import { readRevocationReasons } from "./revocation-reasons.js";
import type { RevocationSync } from "./revocation-sync.js";

export interface RedisRevocationSyncOptions {
  /** Redis in any mode (service-kit): the subscriber follows it (a cluster's node, Sentinel's primary). */
  redis: RedisSettings;
  prefix: string;
  list: RevocationList;
  nowSec: () => number;
  /** Bounds the `until` of what is accepted (`latestRevocationUntil`). */
  policy: TokenPolicy;
  /** Safety-net resync period, so an id missed by pub/sub is still refused within 1 s. */
  resyncIntervalMs: number;
  log: Logger;
  /** Epoch ms; default `Date.now` (for the sync-lag figure). */
  nowMs?: () => number;
}


/**
 * Subscribes to `<prefix>revocations` and resyncs from the sorted set `<prefix>revoked`
 * on every (re)connect and on a short timer (DESIGN.md "Revocation messages").
 */
export class RedisRevocationSync implements RevocationSync {
  readonly #options: RedisRevocationSyncOptions;
  readonly #subscriber: RedisConnection;
  readonly #commands: RedisConnection;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #nowMs: () => number;
  /** Epoch ms of the last successful resync (construction time until the first). */
  #lastSyncedAtMs: number;
  /** How many resyncs completed (tests). */
  resyncs = 0;

  constructor(options: RedisRevocationSyncOptions) {
    this.#options = options;
    this.#nowMs = options.nowMs ?? Date.now;
    this.#lastSyncedAtMs = this.#nowMs();
    this.#subscriber = createRedisSubscriber(options.redis, { name: `${options.prefix}worker-revocations` });
    this.#commands = createRedisConnection(options.redis, { name: `${options.prefix}worker-revocations-sync`, maxRetriesPerRequest: 1 });
    for (const client of [this.#subscriber, this.#commands]) {
      client.on("error", (error: Error) => options.log.warn({ err: error.message }, "revocation sync: redis error"));
    }
  }

  async start(): Promise<void> {
    const channel = revocationChannel(this.#options.prefix);
    this.#subscriber.on("message", (received: string, raw: string) => {
      if (received !== channel) return;
      const checked = parseRevocationMessage(raw, this.#options.nowSec(), this.#options.policy);
      if (!checked.ok) {
        this.#options.log.warn({ problem: checked.problem }, "revocation sync: message dropped");
        this.#options.list.refuse(checked.problem);
        return;
      }
      this.#options.list.add(checked.event.sid, checked.event.until, checked.event);
    });
    // Every (re)connect: ioredis resubscribes, then we resync what we may have missed.
    this.#subscriber.on("ready", () => void this.resync());
    await this.#subscriber.connect();
    await this.#subscriber.subscribe(channel);
    await this.resync();
    this.#timer = setInterval(() => void this.resync(), this.#options.resyncIntervalMs);
    this.#timer.unref();
  }

  /** Reads every revoked id whose tokens may still be alive. Errors are logged, never thrown. */
  async resync(): Promise<void> {
    if (this.#closed) return;
    // The set is complete as of when the read was sent, not when it answered.
    const startedAtMs = this.#nowMs();
    try {
      const now = this.#options.nowSec();
      const flat = await this.#commands.zrangebyscore(revokedSetKey(this.#options.prefix), now, "+inf", "WITHSCORES");
      const untils = new Map<string, number>();
      const maxUntil = latestRevocationUntil(now, this.#options.policy);
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const sid = flat[i]!;
        const until = Number(flat[i + 1]);
        const problem = revokedEntryProblem(sid, until, maxUntil);
        if (problem) {
          this.#options.list.refuse(problem);
          continue;
        }
        untils.set(sid, until);
        this.#options.list.add(sid, until);
      }
      this.#options.list.prune();
      this.resyncs += 1;
      this.#lastSyncedAtMs = Math.max(this.#lastSyncedAtMs, startedAtMs);
      await this.#deliverReasons(untils);
    } catch (error) {
      this.#options.log.warn({ err: (error as Error).message }, "revocation sync: resync failed");
    }
  }

  /**
   * A revocation whose message was missed carries no reason in the set: for the sessions
   * the dispatcher holds, read it (DESIGN.md "Revocation reasons": admin and client are
   * final) and deliver the whole event as if the message had arrived. A reason that is gone
   * stays unknown (retried next resync while wanted); the store lost that session.
   */
  async #deliverReasons(untils: ReadonlyMap<string, number>): Promise<void> {
    const wanted = this.#options.list.missingReasons([...untils.keys()]);
    if (wanted.length === 0) return;
    const reasons = await readRevocationReasons(this.#commands, this.#options.prefix, wanted);
    wanted.forEach((sid, i) => {
      const reason = reasons[i];
      const until = untils.get(sid);
      if (reason !== undefined && until !== undefined) this.#options.list.add(sid, until, { sid, reason, until }, "resync");
    });
  }

  async reasonOf(sid: string): Promise<RevocationReason | undefined> {
    const known = this.#options.list.reasonOf(sid);
    if (known !== undefined) return known;
    const [reason] = await readRevocationReasons(this.#commands, this.#options.prefix, [sid]);
    return reason;
  }

  syncLagSeconds(nowMs: number): number {
    return Math.max(0, nowMs - this.#lastSyncedAtMs) / 1000;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#subscriber.disconnect();
    this.#commands.disconnect();
  }
}
