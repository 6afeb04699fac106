import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { askNode as ask, type RedisProcess, spawnRedisProcess, tempDir } from "./redis-process.js";
import { replicasInSync } from "./replication.js";
import { waitFor } from "./wait.js";

export interface RedisSentinelOptions {
  /** requirepass and masterauth of the data nodes (sentinels learn it by `sentinel auth-pass`). */
  password?: string;
  /** The monitored master's name. Default `mymaster`. */
  masterName?: string;
  /** How many replicas the primary gets. Default 1. */
  replicas?: number;
}

/** A primary, its replica(s) and three Sentinels on loopback free ports. */
export interface RedisSentinelSetup {
  masterName: string;
  /** The sentinels in `host:port` form (the REDIS_SENTINELS value is `sentinels.join(",")`). */
  sentinels: string[];
  /** The data nodes (primary first at start; roles change on failover). */
  dataNodes: readonly RedisProcess[];
  sentinelNodes: readonly RedisProcess[];
  /** The port of the primary the sentinels name now. */
  primaryPort(): Promise<number>;
  /** `SENTINEL FAILOVER <name>`; resolves with the new primary's port once it answers as master. */
  failover(): Promise<number>;
  /** SIGKILLs the primary and waits until the sentinels promoted a replica; resolves with its port. */
  killPrimary(): Promise<number>;
  /** Stops every process (by PID). */
  stop(): Promise<void>;
}

/** Role line of `INFO replication` (`master` or `slave`). */
async function role(port: number, password?: string): Promise<string> {
  const info = await ask(port, password, (c) => c.info("replication"));
  return /role:(\w+)/.exec(info)?.[1] ?? "";
}

/**
 * Starts a primary, its replica(s) (`--replicaof`) and three `redis-server sentinel.conf
 * --sentinel` (each its own writable conf file and directory), and waits until every
 * replica has synced and every sentinel knows the replicas and the two other sentinels
 * (so a failover can be elected). Diskless full syncs start at once
 * (`repl-diskless-sync-delay 0`, not Redis's 5 s), so a replica holds the data from the start.
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelSetup> {
  const { password } = options;
  const masterName = options.masterName ?? "mymaster";
  const auth = password ? ["--requirepass", password, "--masterauth", password] : [];
  const all: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(all.map((n) => n.kill(true)));
  };
  try {
    const primaryPort = await freePort();
    const replicaCount = options.replicas ?? 1;
    const dataArgs = ["--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0", ...auth];
    const primary = await spawnRedisProcess(primaryPort, tempDir("sentinel-primary"), dataArgs, { password });
    all.push(primary);
    const replicas: RedisProcess[] = [];
    for (let i = 0; i < replicaCount; i += 1) {
      const replica = await spawnRedisProcess(await freePort(), tempDir(`sentinel-replica-${i}`), [...dataArgs, "--replicaof", "127.0.0.1", String(primaryPort)], { password });
      replicas.push(replica);
      all.push(replica);
    }
    const sentinelNodes: RedisProcess[] = [];
    for (let i = 0; i < 3; i += 1) {
      const dir = tempDir(`sentinel-${i}`);
      const conf = join(dir, "sentinel.conf");
      const lines = [
        `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 10000`,
        `sentinel parallel-syncs ${masterName} 1`,
        ...(password ? [`sentinel auth-pass ${masterName} ${password}`] : []),
      ];
      writeFileSync(conf, `${lines.join("\n")}\n`);
      const node = await spawnRedisProcess(await freePort(), dir, ["--sentinel"], { first: [conf] });
      sentinelNodes.push(node);
      all.push(node);
    }
    const dataNodes = [primary, ...replicas];
    await waitFor(() => replicasInSync(primaryPort, password, replicaCount), 10_000, "the replicas to sync");
    const sees = async (port: number) => {
      const known = (await ask(port, undefined, (c) => c.call("SENTINEL", "REPLICAS", masterName))) as unknown[];
      const others = (await ask(port, undefined, (c) => c.call("SENTINEL", "SENTINELS", masterName))) as unknown[];
      return known.length === replicaCount && others.length === 2;
    };
    await waitFor(async () => (await Promise.all(sentinelNodes.map((n) => sees(n.port)))).every(Boolean), 30_000, "every sentinel to see the replica and the other sentinels", 200);

    const named = async (port: number) => {
      const [, namedPort] = (await ask(port, undefined, (c) => c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName))) as [string, string];
      return Number(namedPort);
    };
    const primaryPortNow = () => named(sentinelNodes.find((n) => n.running)!.port);
    /** The port every live sentinel names, when it is not `old` and answers as master. */
    const promotedFrom = async (old: number) => {
      const ports = await Promise.all(sentinelNodes.filter((n) => n.running).map((n) => named(n.port)));
      const port = ports[0];
      return port !== undefined && port !== old && ports.every((p) => p === port) && (await role(port, password)) === "master" ? port : 0;
    };
    return {
      masterName,
      sentinels: sentinelNodes.map((n) => `127.0.0.1:${n.port}`),
      dataNodes,
      sentinelNodes,
      primaryPort: primaryPortNow,
      async failover() {
        const now = await primaryPortNow();
        await ask(sentinelNodes[0]!.port, undefined, (c) => c.call("SENTINEL", "FAILOVER", masterName));
        return waitFor(() => promotedFrom(now), 30_000, `sentinels to promote a replica of ${now}`, 100);
      },
      async killPrimary() {
        const now = await primaryPortNow();
        await dataNodes.find((n) => n.port === now)!.kill(true);
        return waitFor(() => promotedFrom(now), 30_000, `sentinels to promote a replica after killing ${now}`, 100);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
