import assert from "node:assert/strict";
import { test } from "node:test";
import { type ClosedLoopResult, mergeRuns } from "../src/load/closed-loop.js";
import { summarize } from "../src/load/stats.js";
import { renderResults } from "../src/report/render.js";
import { type BenchReport, withoutCheck } from "../src/report/report.js";
import { evaluateTargets } from "../src/report/targets.js";

function run(perSecond: number, p99: number): ClosedLoopResult {
  const samples = Float64Array.from({ length: perSecond }, (_, i) => (i === perSecond - 1 ? p99 : 1));
  return { ...summarize(samples, 0, 1), stoppedWorkers: 0, samples };
}

function report(): BenchReport {
  return {
    machine: { date: "2026-01-01T00:00:00Z", cores: 2, cpuModel: "test cpu", node: "v20.20.0", redis: "7.0.15", loadAverage: 0.5 },
    settings: { durationS: 10, warmupS: 2, rounds: 2, concurrencies: [16], chains: 32 },
    refresh: [
      { target: "auth-service", concurrency: 16, result: run(1000, 9) },
      { target: "oidc-provider", concurrency: 16, result: run(100, 40) },
    ],
    roundTrips: [{ target: "auth-service", refreshes: 10, commandsPerRefresh: 6, roundTripsPerRefresh: 1, byCommand: { evalsha: 1 } }],
    roundTripRedis: "private",
    memory: [{ target: "auth-service", sessions: 10, keys: 20, bytesPerSession: 800, rotations: 5, keysAfterRotations: 20, bytesPerSessionAfterRotations: 800, streamKeys: 0, streamBytes: 0 }],
    callbacks: [{ concurrency: 16, route: "POST /x", bareKoa: run(2000, 2), authOn: run(1000, 3) }],
    tokenCheck: {
      jose: { label: "jose", operations: 1, perSecond: 1000, microseconds: 1000 },
      cacheHit: { label: "hit", operations: 1, perSecond: 40_000, microseconds: 25 },
    },
    notes: ["a note"],
    failures: [],
  };
}

test("targets are judged against the figures of the run", () => {
  const checks = evaluateTargets(report());
  const byGoal = new Map(checks.map((check) => [check.goal, check]));
  assert.equal(byGoal.get("refresh grants/s >= 5x oidc-provider at 16 chains")?.measured, "10.00x");
  assert.equal(byGoal.get("refresh grants/s >= 5x oidc-provider at 16 chains")?.met, true);
  assert.equal(byGoal.get("refresh p99 at 16 chains < 15 ms")?.met, true);
  assert.equal(byGoal.get("exactly one Redis round trip per refresh grant")?.met, true);
  assert.equal(byGoal.get("< 1 KiB Redis memory per live session, not growing with rotations")?.met, true);
  // 1000/s authenticated, 25 µs of check each: without it 1 / (1 ms - 25 µs) = 1025.6/s, 97.5 %.
  assert.equal(byGoal.get("authenticated callbacks >= 80 % of the same app without authentication")?.met, true);
  assert.match(byGoal.get("authenticated callbacks >= 80 % of the same app without authentication")?.measured ?? "", /^97\.5 %/);
  assert.equal(byGoal.get("in-process token check, cache hit >= 50x jose's raw jwtVerify")?.met, false);
});

test("RESULTS.md carries the machine, every figure and the ratios", () => {
  const markdown = renderResults(report());
  for (const expected of ["2026-01-01T00:00:00Z", "test cpu", "v20.20.0", "7.0.15", "| 16 | auth-service | 1,000 |", "**10.00x**", "| auth-service | 1.00 | 6.00 | evalsha 1.00 |", "**missed**", "- a note"]) {
    assert.ok(markdown.includes(expected), `missing ${expected}`);
  }
});

test("mergeRuns adds windows, samples and errors", () => {
  const merged = mergeRuns([run(100, 5), { ...run(300, 7), errors: 2 }]);
  assert.equal(merged.ok, 400);
  assert.equal(merged.errors, 2);
  assert.equal(merged.seconds, 2);
  assert.equal(merged.perSecond, 200);
  assert.equal(merged.max, 7);
  assert.equal(Math.round(withoutCheck(1000, 25) * 10) / 10, 1025.6);
});
