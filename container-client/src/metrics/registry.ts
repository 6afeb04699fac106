import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * A Prometheus registry of one service instance (never prom-client's global default
 * registry: several supervisors or services run in one test process). Holds the standard
 * process and Node.js metrics plus the service's own.
 */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
