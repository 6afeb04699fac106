import { Counter, Gauge, type LabelValues, type Registry } from "prom-client";

/** What every metric says of itself (names and help texts are part of each service's operations contract). */
export interface MetricSpec {
  name: string;
  help: string;
}

/** A counter without labels, on the service's registry. */
export function counter(registry: Registry, spec: MetricSpec): Counter {
  return new Counter({ ...spec, registers: [registry] });
}

/**
 * A counter with one label, every value of which is exported at 0 from the start: a rate
 * or an alert on a series works before its first event (a series that does not exist yet
 * has no rate).
 */
export function counterBy<L extends string>(registry: Registry, spec: MetricSpec & { label: L; values: readonly string[] }): Counter<L> {
  const { label, values, ...named } = spec;
  const metric = new Counter<L>({ ...named, labelNames: [label], registers: [registry] });
  for (const value of values) metric.inc({ [label]: value } as LabelValues<L>, 0);
  return metric;
}

/** A gauge whose value is read when the registry is scraped (a size, a lag, a ratio). */
export function gaugeAtScrape(registry: Registry, spec: MetricSpec & { read: () => number }): Gauge {
  const { read, ...named } = spec;
  return new Gauge({
    ...named,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
