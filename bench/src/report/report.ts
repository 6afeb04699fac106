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
  authOff?: ClosedLoopResult;
  authOn?: ClosedLoopResult;
}

export interface TokenCheckFigures {
  jose?: RateFigure;
  cacheHit?: RateFigure;
  cacheMiss?: RateFigure;
}

/** Everything one `npm run bench` measured; rendered to RESULTS.md. */
export interface BenchReport {
  machine: MachineInfo;
  settings: { durationS: number; warmupS: number; concurrencies: number[]; chains: number };
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
