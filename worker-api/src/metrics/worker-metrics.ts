import { counter, counterBy, gaugeAtScrape, ServiceMetrics } from "@gastown/service-kit";
import { REVOCATION_PROBLEMS, type RevocationProblem } from "@gastown/token-policy";
import type { Counter } from "prom-client";
import type { RevocationList } from "../auth/revocation-list.js";
import type { RevocationSync } from "../auth/revocation-sync.js";
import type { VerifiedTokenCache } from "../auth/verify-cache.js";
import { RECORD_REFUSALS, type RecordRefusal } from "../records/limits.js";

/** How one authentication of an agent route ended (the `outcome` label). */
export type AuthOutcome =
  /** Authenticated and the route binding held. */
  | "ok"
  /** No credentials or another scheme (RFC 6750 §3.1: the bare challenge). */
  | "missing"
  /** Malformed header, bad signature, unknown kid, wrong iss/aud/typ, bad claims. */
  | "invalid"
  /** `exp` passed (beyond the clock tolerance). */
  | "expired"
  /** The token's session is in the revoked set. */
  | "revoked"
  /** Valid token for another agent, rig or town. */
  | "forbidden"
  /** Valid token without the scope the route needs (RFC 6750 §3.1). */
  | "insufficient_scope"
  /** The auth-service's keys could not be fetched, or the revoked set is not confirmed complete (503). */
  | "unavailable";

export const AUTH_OUTCOMES: readonly AuthOutcome[] = ["ok", "missing", "invalid", "expired", "revoked", "forbidden", "insufficient_scope", "unavailable"];

/** Where a revoked session id entered the in-memory set (the `via` label). */
export type RevocationPath = "message" | "resync";

export interface WorkerMetricsSources {
  cache: VerifiedTokenCache;
  revocations: RevocationList;
  revocationSync: () => RevocationSync;
  /** Epoch ms (the worker's clock). */
  now: () => number;
}

/**
 * The worker-api's metrics (exposed at `GET /metrics`). Labels are fixed small sets:
 * never a token, session id or agent id.
 *
 * | name | type | meaning |
 * |---|---|---|
 * | gastown_worker_auth_total{outcome} | counter | agent-route authentications by outcome (see `AuthOutcome`) |
 * | gastown_worker_verify_cache_hits_total | counter | requests whose token was found in the verified-token cache |
 * | gastown_worker_verify_cache_misses_total | counter | requests that ran the full signature check |
 * | gastown_worker_verify_cache_hit_ratio | gauge | hits / (hits + misses) since start (0 before any request) |
 * | gastown_worker_verify_cache_entries | gauge | tokens in the cache |
 * | gastown_worker_revocation_sync_lag_seconds | gauge | seconds since the revoked set was last confirmed complete |
 * | gastown_worker_revocations_applied_total{via} | counter | session ids newly added to the revoked set, by message or by resync |
 * | gastown_worker_revoked_sessions | gauge | revoked session ids held in memory (until their tokens expire) |
 * | gastown_worker_records_refused_total{reason} | counter | agent records refused: rate (429), quota (429), size (413) |
 * | gastown_worker_revocations_dropped_total{problem} | counter | revocation messages and revoked-set entries refused as invalid (malformed, sid, reason, until) |
 */
export class WorkerMetrics extends ServiceMetrics {
  readonly #auth: Counter<"outcome">;
  readonly #cacheHits: Counter;
  readonly #cacheMisses: Counter;
  readonly #revocationsApplied: Counter<"via">;
  readonly #revocationsDropped: Counter<"problem">;
  readonly #recordsRefused: Counter<"reason">;

  constructor(sources: WorkerMetricsSources) {
    super("worker-api");
    const registry = this.registry;
    this.#auth = counterBy(registry, { name: "gastown_worker_auth_total", help: "Agent-route authentications by outcome.", label: "outcome", values: AUTH_OUTCOMES });
    this.#cacheHits = counter(registry, { name: "gastown_worker_verify_cache_hits_total", help: "Requests whose access token was already verified (cache hit)." });
    this.#cacheMisses = counter(registry, { name: "gastown_worker_verify_cache_misses_total", help: "Requests that ran the full signature and claims check." });
    gaugeAtScrape(registry, {
      name: "gastown_worker_verify_cache_hit_ratio",
      help: "Verified-token cache hits / lookups since start (0 before any lookup).",
      read: () => {
        const lookups = sources.cache.hits + sources.cache.misses;
        return lookups === 0 ? 0 : sources.cache.hits / lookups;
      },
    });
    gaugeAtScrape(registry, { name: "gastown_worker_verify_cache_entries", help: "Verified tokens held in the cache.", read: () => sources.cache.size });
    gaugeAtScrape(registry, {
      name: "gastown_worker_revocation_sync_lag_seconds",
      help: "Seconds since the in-memory revoked set was last confirmed complete (last successful resync from Redis; 0 with the in-process bus). Bounds how late a revocation whose message was missed can land.",
      read: () => sources.revocationSync().syncLagSeconds(sources.now()),
    });
    this.#revocationsApplied = counterBy(registry, {
      name: "gastown_worker_revocations_applied_total",
      help: "Revoked session ids newly added to the in-memory set, by path (resync > 0 means pub/sub messages were missed).",
      label: "via",
      values: ["message", "resync"] satisfies RevocationPath[],
    });
    this.#revocationsDropped = counterBy(registry, {
      name: "gastown_worker_revocations_dropped_total",
      help: "Revocation messages and revoked-set entries refused as invalid, by problem: malformed, sid (not a session id), reason (unknown), until (not a whole number of seconds, or later than now + access lifetime + 2 x clock tolerance). A bad set entry counts at every resync while it stays.",
      label: "problem",
      values: REVOCATION_PROBLEMS,
    });
    this.#recordsRefused = counterBy(registry, {
      name: "gastown_worker_records_refused_total",
      help: "Agent records refused, by reason: rate (token bucket, 429), quota (per-window records or bytes, 429), size (larger than WORKER_RECORD_MAX_BYTES, 413).",
      label: "reason",
      values: RECORD_REFUSALS,
    });
    gaugeAtScrape(registry, {
      name: "gastown_worker_revoked_sessions",
      help: "Revoked session ids held in memory (each until its last access token expires).",
      read: () => {
        sources.revocations.prune();
        return sources.revocations.size;
      },
    });
  }

  authOutcome(outcome: AuthOutcome): void {
    this.#auth.inc({ outcome });
  }

  cacheLookup(hit: boolean): void {
    (hit ? this.#cacheHits : this.#cacheMisses).inc();
  }

  revocationApplied(via: RevocationPath): void {
    this.#revocationsApplied.inc({ via });
  }

  recordRefused(reason: RecordRefusal): void {
    this.#recordsRefused.inc({ reason });
  }

  revocationRefused(problem: RevocationProblem): void {
    this.#revocationsDropped.inc({ problem });
  }
}
