import { counter, counterBy } from "@gastown/service-kit";
import { REVOCATION_REASONS } from "@gastown/token-policy";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { REPLICA_WAIT_OUTCOMES } from "../store/redis/replica-wait.js";

/** Label value of a grant type: short and bounded (anything else is "unknown"). */
export type GrantLabel = "agent_dispatch" | "refresh_token" | "unknown";

/**
 * The auth-service's own metrics (names are part of the operations contract; see the
 * report's "Operations" text):
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | gastown_auth_grants_total | counter | grant_type, outcome (issued, rotated, grace_replay, or the OAuth error code) |
 * | gastown_auth_reuse_detections_total | counter | |
 * | gastown_auth_revocations_total | counter | reason (admin, client, reuse_detected, expired, superseded) |
 * | gastown_auth_grace_replays_total | counter | |
 * | gastown_auth_token_request_duration_seconds | histogram | grant_type |
 * | gastown_auth_live_sessions | gauge | (counted from the store at scrape time) |
 * | gastown_auth_audit_dropped_total | counter | (audit entries lost: the store did not take them) |
 * | gastown_auth_replication_wait_total | counter | outcome (acknowledged, short: fewer replicas than AUTH_REDIS_WAIT_REPLICAS held a dispatch, rotation or revocation in time; answered 503 temporarily_unavailable) |
 */
export class AuthMetrics {
  readonly grants: Counter<"grant_type" | "outcome">;
  readonly reuseDetections: Counter;
  readonly revocations: Counter<"reason">;
  readonly graceReplays: Counter;
  readonly tokenDuration: Histogram<"grant_type">;
  readonly liveSessions: Gauge;
  readonly auditDropped: Counter;
  readonly replicationWaits: Counter<"outcome">;
  #countLive: (() => Promise<number>) | undefined;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.grants = new Counter({ name: "gastown_auth_grants_total", help: "Token endpoint requests by grant type and outcome", labelNames: ["grant_type", "outcome"], registers });
    this.reuseDetections = counter(registry, { name: "gastown_auth_reuse_detections_total", help: "Refresh token reuse detections (each revoked a session)" });
    this.revocations = counterBy(registry, { name: "gastown_auth_revocations_total", help: "Sessions ended, by reason", label: "reason", values: REVOCATION_REASONS });
    this.graceReplays = counter(registry, { name: "gastown_auth_grace_replays_total", help: "Refreshes answered from the grace window (retried rotations)" });
    this.tokenDuration = new Histogram({
      name: "gastown_auth_token_request_duration_seconds",
      help: "Token endpoint latency by grant type",
      labelNames: ["grant_type"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    const metrics = this;
    this.liveSessions = new Gauge({
      name: "gastown_auth_live_sessions",
      help: "Sessions that are active and not past their idle or absolute end",
      registers,
      async collect() {
        if (!metrics.#countLive) return;
        try {
          this.set(await metrics.#countLive());
        } catch {
          // The store is down: the gauge keeps its last value; /readyz reports the outage.
        }
      },
    });
    this.auditDropped = counter(registry, { name: "gastown_auth_audit_dropped_total", help: "Audit entries that could not be written" });
    this.replicationWaits = counterBy(registry, { name: "gastown_auth_replication_wait_total", help: "Redis WAITs after a dispatch, rotation or revocation (AUTH_REDIS_WAIT_REPLICAS), by outcome", label: "outcome", values: REPLICA_WAIT_OUTCOMES });
  }

  /** Where the live-session gauge reads its value at scrape time. */
  countLiveWith(count: () => Promise<number>): void {
    this.#countLive = count;
  }
}
