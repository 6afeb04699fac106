/** Epoch milliseconds; injected in tests so hours of policy run in milliseconds. */
export type Clock = () => number;

/** An opaque handle returned by `Timers.setTimeout`. */
export type TimerHandle = unknown;

/**
 * The timer functions an `AgentSession` schedules its refreshes with. Tests inject fake
 * ones driven by a fake clock; the default uses Node's timers, unref'd so a session never
 * keeps a process alive on its own.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = () => Date.now();

export const systemTimers: Timers = {
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Resolves after `ms` on the given timers (fake time in tests). */
export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, ms));
}
