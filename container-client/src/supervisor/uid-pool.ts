import { AgentCapacityError } from "../errors.js";
import { checkedRange, type UidRange } from "./agent-uids-setting.js";

/** The user an agent process runs as: its own uid and the gid of the same number. */
export interface AgentUser {
  uid: number;
  gid: number;
}

/**
 * The uids of `CONTAINER_AGENT_UIDS`, one per live agent (DESIGN.md "The agent
 * process"): never two live agents on one uid, never the supervisor's own uid or gid,
 * never a uid that runs processes already (`busy`: another supervisor's agent on the same
 * host, or what an earlier run left behind). Next-fit from the last one handed out,
 * starting at a random place in the range, so a uid just released is the last to come
 * back and two supervisors sharing a range rarely even look at the same uids. `release`
 * is only called once nothing of the agent's remains (its processes killed, its files
 * removed).
 */
export class UidPool {
  readonly range: UidRange;
  readonly #inUse = new Set<number>();
  readonly #excluded: ReadonlySet<number>;
  #cursor: number;

  /** `exclude`: ids that are never handed out (the supervisor's uid and gid); `start`: where next-fit begins (default random). */
  constructor(range: UidRange, exclude: readonly number[] = [], start?: number) {
    this.range = checkedRange(range);
    this.#excluded = new Set(exclude);
    const span = this.range.last - this.range.first + 1;
    this.#cursor = start ?? this.range.first + Math.floor(Math.random() * span);
    if (this.#cursor < this.range.first || this.#cursor > this.range.last) throw new RangeError(`start ${start} is outside the range`);
  }

  get size(): number {
    return this.range.last - this.range.first + 1 - [...this.#excluded].filter((id) => id >= this.range.first && id <= this.range.last).length;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** A free user, or `AgentCapacityError` (503) when every uid is taken or `busy`. */
  allocate(busy: ReadonlySet<number> = new Set()): AgentUser {
    const span = this.range.last - this.range.first + 1;
    for (let step = 0; step < span; step += 1) {
      const uid = this.#cursor;
      this.#cursor = uid === this.range.last ? this.range.first : uid + 1;
      if (this.#inUse.has(uid) || this.#excluded.has(uid) || busy.has(uid)) continue;
      this.#inUse.add(uid);
      return { uid, gid: uid };
    }
    throw new AgentCapacityError(`no free agent uid: all ${this.size} of CONTAINER_AGENT_UIDS ${this.range.first}-${this.range.last} belong to live agents (${this.#inUse.size} of this supervisor) or run processes`);
  }

  release(user: AgentUser): void {
    this.#inUse.delete(user.uid);
  }
}
