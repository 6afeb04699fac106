import type { Timers } from "../../src/session/timers.js";

interface FakeTimer {
  at: number;
  seq: number;
  callback: () => void;
}

/** A fake clock and timers: time moves only when a test advances it. */
export class FakeTime {
  now: number;
  #timers: FakeTimer[] = [];
  #seq = 0;

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.now = start;
  }

  readonly clock = (): number => this.now;

  readonly timers: Timers = {
    setTimeout: (callback, ms) => {
      const timer = { at: this.now + Math.max(0, ms), seq: this.#seq++, callback };
      this.#timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      this.#timers = this.#timers.filter((t) => t !== handle);
    },
  };

  get pending(): number {
    return this.#timers.length;
  }

  /** Epoch ms of the earliest pending timer, or undefined. */
  nextAt(): number | undefined {
    return this.#earliest()?.at;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > end) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.now = Math.max(this.now, next.at);
      next.callback();
    }
    this.now = end;
  }

  /** Jumps to the earliest pending timer and fires it; returns false when none is pending. */
  fireNext(): boolean {
    const next = this.#earliest();
    if (next === undefined) return false;
    this.advance(next.at - this.now);
    return true;
  }

  #earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.#timers) if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }
}
