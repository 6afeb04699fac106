import { type RedisSentinelSetup, replicasInSync, startRedisSentinel, waitFor } from "@gastown/testkit";
import { connectionPool } from "./load/http.js";
import { currentLoad } from "./machine.js";
import { integer } from "./report/format.js";
import { markdownTable } from "./report/table.js";
import { type FailoverLoss, refreshAcrossFailover } from "./scenarios/failover-loss.js";
import { type AuthTarget, startAuthTarget } from "./targets/auth-target.js";
import { replicationWaits } from "./targets/replication-waits.js";

interface Scenario {
  name: string;
  replicas: number;
  /** The AUTH_REDIS_WAIT_REPLICAS values compared (one auth-service each). */
  waits: readonly string[];
  failover(sentinel: RedisSentinelSetup): Promise<number>;
}

const ONLY = process.env.BENCH_FAILOVER_SCENARIOS?.split(",").map(Number);
const SCENARIOS: Scenario[] = [
  { name: "SENTINEL FAILOVER, 1 replica", replicas: 1, waits: ["0", "1"], failover: (s) => s.failover() },
  { name: "SENTINEL FAILOVER, 2 replicas", replicas: 2, waits: ["0", "1", "2"], failover: (s) => s.failover() },
  { name: "primary SIGKILLed, 2 replicas", replicas: 2, waits: ["0", "1", "2"], failover: (s) => s.killPrimary() },
];

const CHAINS = Number(process.env.BENCH_FAILOVER_CHAINS ?? 16);
const FAILOVER_AT_MS = 3_000;
const RUN_MS = 20_000;

/** One auth-service per WAIT value on one fresh Sentinel set, all refreshing through the same failover. */
async function runScenario(scenario: Scenario): Promise<{ rows: (string | number)[][]; notes: string[] }> {
  const sentinel = await startRedisSentinel({ replicas: scenario.replicas });
  const targets: { wait: string; target: AuthTarget }[] = [];
  try {
    const primaryPort = await sentinel.primaryPort();
    await waitFor(() => replicasInSync(primaryPort, undefined, scenario.replicas), 30_000, "the replicas' first sync", 200);
    const env = { REDIS_URL: undefined, REDIS_SENTINELS: sentinel.sentinels.join(","), REDIS_SENTINEL_MASTER: sentinel.masterName, LOG_LEVEL: "warn" };
    for (const wait of scenario.waits) targets.push({ wait, target: await startAuthTarget(`redis://127.0.0.1:${primaryPort}`, { env: { ...env, AUTH_REDIS_WAIT_REPLICAS: wait } }) });
    const sessions = await Promise.all(targets.map(({ target }) => target.issue(CHAINS)));
    const pools = targets.map(({ target }) => connectionPool(target.child.url, CHAINS));
    const endsAt = Date.now() + RUN_MS;
    let failoverNote = "";
    const failover = new Promise<void>((resolve) =>
      setTimeout(() => {
        const started = Date.now();
        scenario.failover(sentinel).then(
          (port) => {
            failoverNote = `new primary :${port} after ${((Date.now() - started) / 1000).toFixed(1)} s`;
            resolve();
          },
          (error: unknown) => {
            failoverNote = `failover failed: ${String(error)}`;
            resolve();
          },
        );
      }, FAILOVER_AT_MS),
    );
    const results: FailoverLoss[] = await Promise.all(targets.map(({ target }, i) => refreshAcrossFailover(pools[i]!, target.tokenPath, target.clientId, sessions[i]!, endsAt)));
    await failover;
    await Promise.all(pools.map((pool) => pool.close()));
    const rows = results.map((r, i) => [scenario.name, `WAIT ${targets[i]!.wait}`, integer(r.acknowledged), integer(r.retried), `${r.lost} / ${CHAINS}`, `${r.reuseDetected} / ${CHAINS}`, (r.longestGapMs / 1000).toFixed(1)]);
    const perTarget = await Promise.all(targets.map(async ({ wait, target }, i) => `WAIT ${wait} answers ${JSON.stringify(results[i]!.statuses)}, ${await replicationWaits(target.child.url)}`));
    const notes = [`${scenario.name}: ${failoverNote}; ${perTarget.join("; ")}`];
    return { rows, notes };
  } finally {
    // The keys go with the throwaway Redis; deleting them through the first primary's URL fails once it is a replica.
    await Promise.all(targets.map(({ target }) => target.stop().catch(() => {})));
    await sentinel.stop();
  }
}

/**
 * `node bench/dist/run-failover-loss.js`: what a Sentinel failover loses with
 * AUTH_REDIS_WAIT_REPLICAS=0 and =1. For each scenario, a fresh primary with its replicas
 * and three sentinels (testkit), auth-services by their main (WAIT 0, WAIT 1, ...), each
 * with BENCH_FAILOVER_CHAINS (16) sessions refreshing as fast as answered; the failover
 * runs 3 s in, the chains stop at 20 s (WAIT 2 too where there are two replicas).
 * Prints a markdown table for bench/RESULTS.md.
 */
async function main(): Promise<void> {
  const loadAtStart = currentLoad();
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  for (const scenario of SCENARIOS.filter((_, i) => !ONLY || ONLY.includes(i + 1))) {
    process.stderr.write(`${scenario.name} ...\n`);
    const result = await runScenario(scenario);
    rows.push(...result.rows);
    notes.push(...result.notes);
  }
  process.stdout.write(`${markdownTable(["failover", "auth-service", "rotations answered 200", "answers retried (503, none)", "sessions lost", "sessions revoked as reuse", "longest gap s"], rows, ["left", "left"])}\n`);
  for (const note of notes) process.stdout.write(`${note}\n`);
  process.stdout.write(`load average (1 min) at start / end: ${loadAtStart.toFixed(2)} / ${currentLoad().toFixed(2)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
