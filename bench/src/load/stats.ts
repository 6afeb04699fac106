/** Latency and throughput figures of one measured run. Latencies in milliseconds. */
export interface RunSummary {
  /** Successful operations counted in the measured window. */
  ok: number;
  errors: number;
  /** Length of the measured window (warm-up excluded). */
  seconds: number;
  /** Successful operations per second. */
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (0 < p <= 100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] as number;
}

/** Summarises latency samples (any order) of successful operations over `seconds`. */
export function summarize(samples: ArrayLike<number>, errors: number, seconds: number): RunSummary {
  const sorted = Float64Array.from(samples).sort();
  return {
    ok: sorted.length,
    errors,
    seconds,
    perSecond: seconds > 0 ? sorted.length / seconds : 0,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

/** Growable store of latency samples without per-sample allocation. */
export class SampleBuffer {
  #data = new Float64Array(1 << 14);
  #length = 0;

  push(value: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  values(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }
}
