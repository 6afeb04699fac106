import { replicasInSync, startRedisSentinel, waitFor } from "@gastown/testkit";
import { currentLoad } from "./machine.js";
import { Progress } from "./progress.js";
import { ratio } from "./report/format.js";
import { refreshHeader, refreshRows } from "./report/refresh-rows.js";
import { markdownTable } from "./report/table.js";
import { measureRefreshGrants } from "./scenarios/refresh-grants.js";
import { benchSettings, logLevelLabel } from "./scenarios/settings.js";
import { startAuthTarget } from "./targets/auth-target.js";
import type { RefreshTarget } from "./targets/refresh-target.js";
import { replicationWaits } from "./targets/replication-waits.js";

/** The figure's rows: each auth-service by its AUTH_REDIS_WAIT_REPLICAS. */
const OFF = "WAIT 0";
const ON = "WAIT 1";

/**
 * `node bench/dist/run-replica-wait.js`: what AUTH_REDIS_WAIT_REPLICAS=1 costs. Two
 * auth-services started by their main, one with WAIT 0 and one with WAIT 1
 * (AUTH_REDIS_WAIT_TIMEOUT_MS 100), both on the same Sentinel-managed primary with one
 * replica (testkit, on this machine), measured by the refresh-grant load taking turns
 * (BENCH_ROUNDS, ABAB) at each concurrency (BENCH_CONCURRENCY, default 1,16,64). Writes
 * nothing; prints a markdown table for bench/RESULTS.md.
 */
async function main(): Promise<void> {
  const settings = benchSettings({ BENCH_CONCURRENCY: "1,16,64", ...process.env });
  const loadAtStart = currentLoad();
  const sentinel = await startRedisSentinel();
  const targets: RefreshTarget[] = [];
  try {
    const primaryPort = await sentinel.primaryPort();
    await waitFor(() => replicasInSync(primaryPort), 30_000, "the replica's first sync", 200);
    const redisUrl = `redis://127.0.0.1:${primaryPort}`;
    const sentinelEnv = { REDIS_URL: undefined, REDIS_SENTINELS: sentinel.sentinels.join(","), REDIS_SENTINEL_MASTER: sentinel.masterName };
    for (const [name, replicas] of [[OFF, "0"], [ON, "1"]] as const) {
      const target = await startAuthTarget(redisUrl, { logLevel: settings.logLevel, env: { ...sentinelEnv, AUTH_REDIS_WAIT_REPLICAS: replicas, AUTH_REDIS_WAIT_TIMEOUT_MS: "100" } });
      targets.push({ ...target, name });
    }
    const progress = new Progress(settings.concurrencies.length * settings.rounds * targets.length);
    const figures = await measureRefreshGrants(targets, settings, progress);
    const rows = refreshRows(figures);
    for (const concurrency of settings.concurrencies) {
      const off = figures.find((figure) => figure.target === OFF && figure.concurrency === concurrency)?.result;
      const on = figures.find((figure) => figure.target === ON && figure.concurrency === concurrency)?.result;
      if (off && on) rows.push([concurrency, "WAIT 1 / WAIT 0", ratio(on.perSecond, off.perSecond), ratio(on.p50, off.p50), ratio(on.p95, off.p95), ratio(on.p99, off.p99), "", ""]);
    }
    process.stdout.write(`${markdownTable(refreshHeader("auth-service"), rows, ["right", "left"])}\n`);
    for (const target of targets) process.stdout.write(`${target.name}: gastown_auth_replication_wait_total ${await replicationWaits(target.child.url)}\n`);
    process.stdout.write(`load average (1 min) at start / end: ${loadAtStart.toFixed(2)} / ${currentLoad().toFixed(2)}\n`);
    process.stdout.write(`measured ${settings.durationMs / 1000} s per figure in ${settings.rounds} turns each; log level of the auth-services: ${logLevelLabel(settings.logLevel)}\n`);
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
    await sentinel.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
