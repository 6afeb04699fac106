import { decimal, integer, millis, percent, ratio } from "./format.js";
import { type BenchReport, OURS, refreshFigure, THEIRS, withoutCheck } from "./report.js";

export interface TargetCheck {
  goal: string;
  measured: string;
  /** null when the figure could not be measured. */
  met: boolean | null;
}

const check = (goal: string, measured: string, met: boolean | null): TargetCheck => ({ goal, measured, met });

/** The targets, reported against this run's figures (never asserted). */
export function evaluateTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const concurrency of report.settings.concurrencies) {
    const ours = refreshFigure(report, OURS, concurrency);
    const theirs = refreshFigure(report, THEIRS, concurrency);
    const met = ours && theirs ? ours.perSecond >= 5 * theirs.perSecond : null;
    checks.push(check(`refresh grants/s >= 5x oidc-provider at ${concurrency} chains`, ratio(ours?.perSecond, theirs?.perSecond), met));
  }
  const busiest = Math.max(...report.settings.concurrencies);
  const p99 = refreshFigure(report, OURS, busiest)?.p99;
  checks.push(check(`refresh p99 at ${busiest} chains < 15 ms`, p99 === undefined ? "n/a" : `${millis(p99)} ms`, p99 === undefined ? null : p99 < 15));

  const trips = report.roundTrips.find((figure) => figure.target === OURS);
  checks.push(
    check(
      "exactly one Redis round trip per refresh grant",
      trips ? roundTripText(trips.roundTripsPerRefresh, trips.byCommand) : "n/a",
      // One round trip on the grant's path (the rotation script); batched log writes are amortised.
      trips ? Math.round(trips.roundTripsPerRefresh) === 1 && Math.round((trips.byCommand.evalsha ?? 0) * 100) === 100 : null,
    ),
  );

  const memory = report.memory.find((figure) => figure.target === OURS);
  checks.push(
    check(
      "< 1 KiB Redis memory per live session, not growing with rotations",
      memory ? `${integer(memory.bytesPerSession)} B, ${integer(memory.bytesPerSessionAfterRotations)} B after ${memory.rotations} rotations` : "n/a",
      memory ? memory.bytesPerSession < 1024 && memory.bytesPerSessionAfterRotations < 1024 && memory.bytesPerSessionAfterRotations <= memory.bytesPerSession * 1.02 : null,
    ),
  );

  const hitMicros = report.tokenCheck.cacheHit?.microseconds;
  const shares = report.callbacks.flatMap((figure) => {
    const on = figure.authOn?.perSecond;
    if (on === undefined) return [];
    if (figure.authOff) return [{ concurrency: figure.concurrency, share: on / figure.authOff.perSecond, estimated: false }];
    if (hitMicros === undefined) return [];
    return [{ concurrency: figure.concurrency, share: on / withoutCheck(on, hitMicros), estimated: true }];
  });
  const worst = shares.sort((a, b) => a.share - b.share)[0];
  checks.push(
    check(
      "authenticated callbacks >= 80 % of the same app without authentication",
      worst ? `${percent(worst.share, 1)} at ${worst.concurrency} clients${worst.estimated ? " (estimated from the in-process check cost)" : ""}` : "n/a",
      worst ? worst.share >= 0.8 : null,
    ),
  );

  const { cacheHit, jose } = report.tokenCheck;
  checks.push(
    check("in-process token check, cache hit >= 50x jose's raw jwtVerify", ratio(cacheHit?.perSecond, jose?.perSecond), cacheHit && jose ? cacheHit.perSecond >= 50 * jose.perSecond : null),
  );
  return checks;
}

function roundTripText(roundTrips: number, byCommand: Record<string, number>): string {
  const xadd = byCommand.xadd ? `; XADD ${decimal(byCommand.xadd)} per grant, written in batched audit pipelines` : "";
  return `${decimal(roundTrips)} round trips (EVALSHA ${decimal(byCommand.evalsha ?? 0)}${xadd})`;
}
