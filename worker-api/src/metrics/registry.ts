import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * A Prometheus registry of one service instance (never prom-client's global default
 * registry: several services, or several workers, run in one test process). Holds the
 * standard process and Node.js metrics plus the worker's own.
 */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
