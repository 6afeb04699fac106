import { testRedisUrl } from "@gastown/testkit";
import { currentLoad } from "./machine.js";
import { Progress } from "./progress.js";
import { ratio } from "./report/format.js";
import { refreshHeader, refreshRows } from "./report/refresh-rows.js";
import { OURS, THEIRS } from "./report/report.js";
import { markdownTable } from "./report/table.js";
import { measureRefreshGrants } from "./scenarios/refresh-grants.js";
import { benchSettings, logLevelLabel } from "./scenarios/settings.js";
import { startAuthTarget } from "./targets/auth-target.js";
import { startOidcTarget } from "./targets/oidc-target.js";
import type { RefreshTarget } from "./targets/refresh-target.js";

/**
 * `node bench/dist/run-refresh.js`: the refresh-grant figure only (same load, settings
 * and turn-taking as the full run), for quick before/after comparisons while tuning.
 * `BENCH_TARGETS=auth` measures the auth-service alone. Writes nothing.
 */
async function main(): Promise<void> {
  const settings = benchSettings();
  const only = process.env.BENCH_TARGETS === "auth";
  const redisUrl = await testRedisUrl();
  const loadAtStart = currentLoad();
  const targets: RefreshTarget[] = [await startAuthTarget(redisUrl, { cpuProfileDir: settings.cpuProfileDir, logLevel: settings.logLevel })];
  if (!only) targets.push(await startOidcTarget(redisUrl, { cpuProfileDir: settings.cpuProfileDir }));
  const progress = new Progress(settings.concurrencies.length * settings.rounds * targets.length);
  try {
    const figures = await measureRefreshGrants(targets, settings, progress);
    const rows = refreshRows(figures);
    for (const concurrency of settings.concurrencies) {
      const ours = figures.find((figure) => figure.target === OURS && figure.concurrency === concurrency)?.result;
      const theirs = figures.find((figure) => figure.target === THEIRS && figure.concurrency === concurrency)?.result;
      if (ours && theirs) rows.push([concurrency, "ratio", ratio(ours.perSecond, theirs.perSecond), "", "", "", "", ""]);
    }
    process.stdout.write(`${markdownTable(refreshHeader("server"), rows, ["right", "left"])}\n`);
    process.stdout.write(`load average at start / end: ${loadAtStart} / ${currentLoad()}\n`);
    process.stdout.write(`log level of the auth-service: ${logLevelLabel(settings.logLevel)}\n`);
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
