import type { ClosedLoopResult } from "../load/closed-loop.js";
import type { MachineInfo } from "../machine.js";
import type { RefreshFigure } from "../scenarios/refresh-grants.js";
import type { RoundTripFigure } from "../scenarios/round-trips.js";
import type { MemoryFigure } from "../scenarios/session-memory.js";
import type { RateFigure } from "../scenarios/verify-rate.js";

export const OURS = "auth-service";
export const THEIRS = "oidc-provider";

/** Throughput of the same small authenticated POST against three servers. */
export interface CallbackFigures {
  concurrency: number;
  /** What the callback was (route), for the table. */
  route: string;
  bareKoa?: ClosedLoopResult;
  /** The same worker-api app built without authentication (fixed claims), measured over HTTP. */
  authOff?: ClosedLoopResult;
  authOn?: ClosedLoopResult;
  /** The worker-api's verified-token cache over the run. */
  cache?: { hits: number; misses: number };
}

/**
 * Throughput without the token check, estimated from the measured authenticated rate: the
 * server runs on one thread, so at saturation each request costs 1/rate seconds of it, of
 * which `checkMicroseconds` is the check. Overstates the check's share when the server
 * thread was not saturated.
 */
export function withoutCheck(authenticatedPerSecond: number, checkMicroseconds: number): number {
  const perRequest = 1 / authenticatedPerSecond - checkMicroseconds / 1e6;
  return perRequest > 0 ? 1 / perRequest : Number.POSITIVE_INFINITY;
}

export interface TokenCheckFigures {
  jose?: RateFigure;
  cacheHit?: RateFigure;
  cacheMiss?: RateFigure;
}

/** Everything one `npm run bench` measured; rendered to RESULTS.md. */
export interface BenchReport {
  machine: MachineInfo;
  settings: { durationS: number; warmupS: number; rounds: number; concurrencies: number[]; chains: number; logLevel: string };
  refresh: RefreshFigure[];
  roundTrips: RoundTripFigure[];
  /** Where the round trips were counted (private Redis, or shared when none could be started). */
  roundTripRedis: string;
  memory: MemoryFigure[];
  callbacks: CallbackFigures[];
  tokenCheck: TokenCheckFigures;
  /** How things were measured, and what could not be. */
  notes: string[];
  /** Failures of single measurements (the rest of the run went on). */
  failures: string[];
}

export function refreshFigure(report: BenchReport, target: string, concurrency: number): ClosedLoopResult | undefined {
  return report.refresh.find((figure) => figure.target === target && figure.concurrency === concurrency)?.result;
}
