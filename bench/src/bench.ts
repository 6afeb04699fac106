import { startRedisServer, testRedisUrl } from "@gastown/testkit";
import { Redis } from "ioredis";
import { currentLoad, machineInfo } from "./machine.js";
import { Progress } from "./progress.js";
import { redisVersion } from "./redis/command-stats.js";
import { METHOD_NOTES } from "./report/notes.js";
import type { BenchReport } from "./report/report.js";
import { measureCallbacks } from "./scenarios/callbacks.js";
import { measureRefreshGrants } from "./scenarios/refresh-grants.js";
import { measureRoundTrips } from "./scenarios/round-trips.js";
import { measureSessionMemory } from "./scenarios/session-memory.js";
import { type BenchSettings, logLevelLabel } from "./scenarios/settings.js";
import { measureTokenChecks } from "./scenarios/token-check.js";
import { startAuthTarget } from "./targets/auth-target.js";
import { startOidcTarget } from "./targets/oidc-target.js";
import type { RefreshTarget } from "./targets/refresh-target.js";

type TargetStarter = (redisUrl: string) => Promise<RefreshTarget>;

/**
 * One full run: every figure of RESULTS.md. A measurement that fails is recorded in
 * `failures` and the run goes on with the next one.
 */
export async function runBench(settings: BenchSettings): Promise<BenchReport> {
  const redisUrl = await testRedisUrl();
  const probe = new Redis(redisUrl);
  const version = await redisVersion(probe).finally(() => probe.quit());
  const starters: TargetStarter[] = [
    (url) => startAuthTarget(url, { cpuProfileDir: settings.cpuProfileDir, logLevel: settings.logLevel }),
    (url) => startOidcTarget(url, { cpuProfileDir: settings.cpuProfileDir }),
  ];
  const turns = settings.concurrencies.length * Math.max(1, settings.rounds);
  const progress = new Progress(turns * starters.length + 2 * starters.length + turns * 2 + 3 * Math.max(1, settings.rounds));
  const report: BenchReport = {
    machine: machineInfo(version),
    settings: {
      durationS: settings.durationMs / 1000,
      warmupS: settings.warmupMs / 1000,
      rounds: settings.rounds,
      concurrencies: settings.concurrencies,
      chains: Math.max(...settings.concurrencies) + 16,
      logLevel: logLevelLabel(settings.logLevel),
    },
    refresh: [],
    roundTrips: [],
    roundTripRedis: "",
    memory: [],
    callbacks: [],
    tokenCheck: {},
    notes: [...METHOD_NOTES],
    failures: [],
  };
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      report.failures.push(`${what}: ${message}`);
      process.stderr.write(`\n${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return undefined;
    }
  };

  // 1. Refresh grants: both servers at once on the shared Redis, taking turns.
  const targets: RefreshTarget[] = [];
  for (const start of starters) {
    const target = await attempt("starting a refresh server", () => start(redisUrl));
    if (target) targets.push(target);
  }
  try {
    report.refresh = (await attempt("refresh grants", () => measureRefreshGrants(targets, settings, progress))) ?? [];
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }

  // 2. Redis commands and round trips per refresh, on a private Redis (clean counters).
  const privateRedis = await attempt("starting a private redis-server for command statistics", () => startRedisServer());
  report.roundTripRedis = privateRedis ? `private redis-server ${version}, nothing else connected` : "shared Redis: other clients' commands are counted too";
  for (const start of starters) {
    progress.step("Redis round trips per refresh");
    const figure = await attempt("round trips", async () => {
      const target = await start(privateRedis?.url ?? redisUrl);
      try {
        return await measureRoundTrips(target, privateRedis?.url ?? redisUrl, settings.roundTripRefreshes);
      } finally {
        await target.stop();
      }
    });
    if (figure) report.roundTrips.push(figure);
    progress.done(figure ? `${figure.target}: ${figure.roundTripsPerRefresh.toFixed(2)} round trips, ${figure.commandsPerRefresh.toFixed(2)} commands` : "failed");
  }
  await privateRedis?.kill();

  // 3. Memory per live session, fresh prefixes on the shared Redis.
  for (const start of starters) {
    progress.step(`Redis memory per session (${settings.memorySessions} sessions)`);
    const figure = await attempt("session memory", async () => {
      const target = await start(redisUrl);
      try {
        return await measureSessionMemory(target, redisUrl, settings.memorySessions, settings.memoryRotations);
      } finally {
        await target.stop();
      }
    });
    if (figure) report.memory.push(figure);
    progress.done(figure ? `${figure.target}: ${Math.round(figure.bytesPerSession)} B, ${Math.round(figure.bytesPerSessionAfterRotations)} B after rotations` : "failed");
  }

  // 4-5. Worker-api callbacks and the in-process token check, with one auth-service for tokens and keys.
  const auth = await attempt("starting the auth-service for callbacks", () => startAuthTarget(redisUrl, { logLevel: settings.logLevel }));
  if (auth) {
    try {
      for (const concurrency of settings.concurrencies) {
        const figures = await attempt(`callbacks at ${concurrency} clients`, () => measureCallbacks(auth, redisUrl, concurrency, settings, progress));
        if (figures) report.callbacks.push(figures);
      }
      report.tokenCheck = (await attempt("in-process token check", () => measureTokenChecks(auth, settings.verifyMs, Math.max(1, settings.rounds), progress))) ?? {};
    } finally {
      await auth.stop();
    }
  }
  report.machine.loadAverageAtEnd = currentLoad();
  return report;
}
