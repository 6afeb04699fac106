import type { ClosedLoopResult } from "../load/closed-loop.js";
import { decimal, integer, millis, percent, ratio } from "./format.js";
import { type BenchReport, OURS, refreshFigure, THEIRS, withoutCheck } from "./report.js";
import { markdownTable } from "./table.js";
import { evaluateTargets } from "./targets.js";

const loadColumns = ["req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"];
const loadCells = (result: ClosedLoopResult | undefined) =>
  result ? [integer(result.perSecond), millis(result.p50), millis(result.p95), millis(result.p99), millis(result.max), integer(result.errors)] : ["n/a", "", "", "", "", ""];

function refreshSection(report: BenchReport): string {
  const rows = [];
  for (const concurrency of report.settings.concurrencies) {
    const ours = refreshFigure(report, OURS, concurrency);
    const theirs = refreshFigure(report, THEIRS, concurrency);
    const ourCpu = refreshCpu(report, OURS, concurrency);
    const theirCpu = refreshCpu(report, THEIRS, concurrency);
    rows.push([concurrency, OURS, ...loadCells(ours), cpuCell(ourCpu)]);
    rows.push([concurrency, THEIRS, ...loadCells(theirs), cpuCell(theirCpu)]);
    rows.push([
      concurrency,
      "**ratio ours/oidc-provider**",
      `**${ratio(ours?.perSecond, theirs?.perSecond)}**`,
      ratio(ours?.p50, theirs?.p50),
      ratio(ours?.p95, theirs?.p95),
      ratio(ours?.p99, theirs?.p99),
      "",
      "",
      ourCpu !== undefined && theirCpu !== undefined ? `${ratio(theirCpu, ourCpu)} less` : "",
    ]);
  }
  return `## Refresh grants (rotation on, ES256 JWT access tokens, Redis)\n\n${markdownTable(["chains", "server", "grants/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "server CPU µs/grant"], rows, ["right", "left"])}`;
}

function refreshCpu(report: BenchReport, target: string, concurrency: number): number | undefined {
  return report.refresh.find((figure) => figure.target === target && figure.concurrency === concurrency)?.cpuMicrosPerGrant;
}

const cpuCell = (micros: number | undefined) => (micros === undefined ? "n/a" : integer(micros));

function redisSection(report: BenchReport): string {
  const trips = report.roundTrips.map((figure) => [
    figure.target,
    decimal(figure.roundTripsPerRefresh),
    decimal(figure.commandsPerRefresh),
    Object.entries(figure.byCommand)
      .map(([name, calls]) => `${name} ${decimal(calls)}`)
      .join(", "),
  ]);
  const memory = report.memory.map((figure) => [
    figure.target,
    integer(figure.sessions),
    integer(figure.keys),
    integer(figure.bytesPerSession),
    `${integer(figure.bytesPerSessionAfterRotations)} (${integer(figure.keysAfterRotations)} keys)`,
    integer(figure.bytesPerSessionAfterRotations - figure.bytesPerSession),
    figure.streamKeys > 0 ? `${integer(figure.streamKeys)} stream(s), ${integer(figure.streamBytes)} B in all` : "none",
  ]);
  const rotations = report.memory[0]?.rotations ?? 0;
  return [
    `## Redis per refresh grant (${report.roundTripRedis})\n`,
    markdownTable(["server", "round trips", "commands (Lua scripts' included)", "commands by name (per grant)"], trips, ["left", "right", "right", "left"]),
    "\n## Redis memory per live session (MEMORY USAGE over every key of the server's prefix but streams / sessions)\n",
    markdownTable(["server", "sessions", "keys", "bytes/session", `bytes/session after ${rotations} rotations each`, "growth", "log streams (not per session, bounded)"], memory),
  ].join("\n");
}

function callbackSection(report: BenchReport): string {
  const hitMicros = report.tokenCheck.cacheHit?.microseconds;
  const rows = report.callbacks.flatMap((figure) => {
    const on = figure.authOn?.perSecond;
    const off = figure.authOff?.perSecond ?? (on !== undefined && hitMicros !== undefined ? withoutCheck(on, hitMicros) : undefined);
    const offLabel = figure.authOff ? "worker-api, same app without authentication (fixed claims)" : "worker-api without the check (estimated: measured rate minus the in-process cache-hit check cost)";
    const cache = figure.cache ? `cache ${integer(figure.cache.hits)} hits, ${integer(figure.cache.misses)} misses` : "";
    return [
      [figure.concurrency, "bare Koa, small POST", ...loadCells(figure.bareKoa)],
      [figure.concurrency, `worker-api, authenticated (${cache})`, ...loadCells(figure.authOn)],
      figure.authOff
        ? [figure.concurrency, offLabel, ...loadCells(figure.authOff)]
        : [figure.concurrency, offLabel, off === undefined ? "n/a" : `~${integer(off)}`, "", "", "", "", ""],
      [figure.concurrency, "**authenticated / without the check**", `**${percent(on, off)}**`, "", "", "", "", ""],
      [figure.concurrency, "worker-api authenticated / bare Koa", percent(on, figure.bareKoa?.perSecond), "", "", "", "", ""],
    ];
  });
  const route = report.callbacks[0]?.route ?? "";
  return `## Worker-api callbacks (${route})\n\n${markdownTable(["clients", "server", ...loadColumns], rows, ["right", "left"])}`;
}

function tokenCheckSection(report: BenchReport): string {
  const { jose, cacheHit, cacheMiss } = report.tokenCheck;
  const rows = [jose, cacheHit, cacheMiss]
    .filter((figure) => figure !== undefined)
    .map((figure) => [figure.label, integer(figure.perSecond), decimal(figure.microseconds, 2), ratio(figure.perSecond, jose?.perSecond)]);
  return `## In-process token check (one at a time, one core)\n\n${markdownTable(["check", "checks/s", "µs/check", "vs jose"], rows)}`;
}

function targetSection(report: BenchReport): string {
  const rows = evaluateTargets(report).map((target) => [target.goal, target.measured, target.met === null ? "not measured" : target.met ? "met" : "**missed**"]);
  return `## Targets (reported, not asserted)\n\n${markdownTable(["target", "measured", "result"], rows, ["left", "right", "left"])}`;
}

/** RESULTS.md: machine, settings, every figure, the targets, and how it was measured. */
export function renderResults(report: BenchReport): string {
  const { machine, settings } = report;
  const header = [
    "# Benchmark results",
    "",
    `Generated by \`npm run bench\` on ${machine.date}.`,
    "",
    markdownTable(
      ["machine", "value"],
      [
        ["cores", `${machine.cores} (${machine.cpuModel})`],
        ["Node", machine.node],
        ["Redis", machine.redis],
        ["load average (1 min) at start / end", `${decimal(machine.loadAverage)} / ${machine.loadAverageAtEnd === undefined ? "n/a" : decimal(machine.loadAverageAtEnd)} (2 = both cores busy)`],
        ["per measurement", `${settings.warmupS} s warm-up + ${settings.durationS} s measured, in ${settings.rounds} turns taken alternately with the server it is compared with`],
        ["refresh chains pre-issued per server", String(settings.chains)],
        ["log level of our services", settings.logLevel],
      ],
      ["left", "left"],
    ),
  ];
  const sections = [header.join("\n"), targetSection(report), refreshSection(report), redisSection(report), callbackSection(report), tokenCheckSection(report)];
  if (report.failures.length > 0) sections.push(`## Measurements that failed\n\n${report.failures.map((failure) => `- ${failure}`).join("\n")}`);
  sections.push(`## How it was measured\n\n${report.notes.map((note) => `- ${note}`).join("\n")}`);
  return `${sections.join("\n\n")}\n`;
}
