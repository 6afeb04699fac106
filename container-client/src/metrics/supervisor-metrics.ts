import { counter, counterBy, gaugeAtScrape, ServiceMetrics } from "@gastown/service-kit";
import { type Counter, Gauge } from "prom-client";
import type { AgentSession } from "../session/agent-session.js";
import type { Clock } from "../session/timers.js";
import { AGENT_STATES, type AgentState } from "../supervisor/agent-state.js";
import type { OutboxMeter } from "../supervisor/outbox.js";

/** How one refresh attempt ended (the `outcome` label). */
export type RefreshOutcome = "ok" | "failed" | "lost";
export const REFRESH_OUTCOMES: readonly RefreshOutcome[] = ["ok", "failed", "lost"];

/** What the scrape-time gauges read: the supervisor's agents. */
export interface MetricsAgentView {
  readonly state: AgentState;
  readonly live: boolean;
  readonly spec: { readonly agentId: string };
  readonly session: AgentSession;
}

export interface SupervisorMetricsSources {
  agents: () => Iterable<MetricsAgentView>;
  /** Epoch ms (the supervisor's clock). */
  now: Clock;
}

/**
 * The container supervisor's metrics (exposed at `GET /metrics`, no credential needed:
 * counts and agent ids only, never a token or session id).
 *
 * | name | type | meaning |
 * |---|---|---|
 * | gastown_container_refreshes_total{outcome} | counter | refresh attempts: ok, failed (will retry), lost (refused for good) |
 * | gastown_container_access_token_expires_in_seconds{agent_id} | gauge | seconds until each live agent's current access token expires (read at scrape) |
 * | gastown_container_lost_sessions | gauge | live agents whose session is lost (waiting for a pushed pair) |
 * | gastown_container_token_pushes_total | counter | fresh pairs pushed by the worker (PUT tokens, or with a message) |
 * | gastown_container_agents{state} | gauge | agents known to the supervisor by state |
 * | gastown_container_outbox_pending | gauge | callbacks (events, merges, completion reports) waiting in the agents' outboxes |
 * | gastown_container_outbox_dropped_total | counter | callbacks dropped as the oldest of a full outbox |
 * | gastown_container_outbox_oversized_total | counter | callbacks refused for a body over 64 KiB |
 * | gastown_container_agent_output_cut_lines_total{stream} | counter | agent output lines cut at 64 KiB |
 */
export class SupervisorMetrics extends ServiceMetrics {
  readonly #refreshes: Counter<"outcome">;
  readonly #pushes: Counter;
  readonly #outboxPending: Gauge;
  readonly #outboxDropped: Counter;
  readonly #outboxOversized: Counter;
  readonly #linesCut: Counter<"stream">;

  constructor(sources: SupervisorMetricsSources) {
    super("container-supervisor");
    const registry = this.registry;
    this.#refreshes = counterBy(registry, { name: "gastown_container_refreshes_total", help: "Refresh attempts by outcome (ok, failed and retried, lost for good).", label: "outcome", values: REFRESH_OUTCOMES });
    this.#pushes = counter(registry, { name: "gastown_container_token_pushes_total", help: "Fresh token pairs pushed by the worker-api." });
    this.#outboxPending = new Gauge({ name: "gastown_container_outbox_pending", help: "Callbacks waiting in the agents' outboxes for the worker-api.", registers: [registry] });
    this.#outboxDropped = counter(registry, { name: "gastown_container_outbox_dropped_total", help: "Callbacks dropped as the oldest of a full outbox." });
    this.#outboxOversized = counter(registry, { name: "gastown_container_outbox_oversized_total", help: "Callbacks refused because their body is over the outbox item limit." });
    this.#linesCut = counterBy(registry, { name: "gastown_container_agent_output_cut_lines_total", help: "Lines of agent output cut at the line limit.", label: "stream", values: ["stdout", "stderr"] });
    new Gauge({
      name: "gastown_container_access_token_expires_in_seconds",
      help: "Seconds until each live agent's current access token expires (negative: already expired).",
      labelNames: ["agent_id"],
      registers: [registry],
      collect() {
        this.reset();
        const now = sources.now();
        for (const agent of sources.agents()) {
          if (agent.live) this.set({ agent_id: agent.spec.agentId }, (agent.session.accessExpiresAtMs - now) / 1000);
        }
      },
    });
    gaugeAtScrape(registry, {
      name: "gastown_container_lost_sessions",
      help: "Live agents whose session was refused for good and waits for a pushed pair.",
      read: () => {
        let lost = 0;
        for (const agent of sources.agents()) if (agent.live && agent.session.status().lost) lost += 1;
        return lost;
      },
    });
    new Gauge({
      name: "gastown_container_agents",
      help: "Agents known to the supervisor, by state.",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        const counts = new Map<AgentState, number>(AGENT_STATES.map((state) => [state, 0]));
        for (const agent of sources.agents()) counts.set(agent.state, (counts.get(agent.state) ?? 0) + 1);
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
  }

  /** Counts the session's refresh outcomes from its events. */
  watch(session: AgentSession): void {
    session.on("refreshed", () => this.#refreshes.inc({ outcome: "ok" }));
    session.on("refresh_failed", () => this.#refreshes.inc({ outcome: "failed" }));
    session.on("lost", () => this.#refreshes.inc({ outcome: "lost" }));
  }

  /** What an agent's outbox reports its size and drops to. */
  outboxMeter(): OutboxMeter {
    return {
      pendingChanged: (delta) => (delta >= 0 ? this.#outboxPending.inc(delta) : this.#outboxPending.dec(-delta)),
      dropped: () => this.#outboxDropped.inc(),
      oversized: () => this.#outboxOversized.inc(),
    };
  }

  /** Counts an agent output line cut at the limit (bound, so it can be handed around). */
  readonly lineCut = (stream: "stdout" | "stderr"): void => {
    this.#linesCut.inc({ stream });
  };

  tokenPushed(): void {
    this.#pushes.inc();
  }
}
