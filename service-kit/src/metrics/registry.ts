import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * A Prometheus registry of one service instance (never prom-client's global default
 * registry: several services, or several instances of one, run in one test process).
 * Holds the standard process and Node.js metrics plus whatever the service adds.
 */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Exposition for a `GET /metrics` handler: the content type and the text of every
 * metric (collect callbacks, such as a live-session count, run here).
 */
export async function renderMetrics(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/**
 * Base of a service's metrics: its own registry (`createServiceRegistry`) and the
 * exposition its `GET /metrics` answers. The service adds its metrics on `registry`.
 */
export class ServiceMetrics {
  readonly registry: Registry;

  constructor(service: string) {
    this.registry = createServiceRegistry(service);
  }

  /** Exposition for `GET /metrics` (collect callbacks run here). */
  render(): Promise<{ contentType: string; body: string }> {
    return renderMetrics(this.registry);
  }
}
