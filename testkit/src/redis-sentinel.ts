import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { type RedisProcess, askNode as ask, spawnRedisProcess, tempDir } from "./redis-process.js";
import { waitFor } from "./wait.js";

export interface RedisSentinelOptions {
  /** requirepass and masterauth of the data nodes (sentinels learn it by `sentinel auth-pass`). */
  password?: string;
  /** The monitored master's name. Default `mymaster`. */
  masterName?: string;
}

/** A primary, a replica and three Sentinels on loopback free ports. */
export interface RedisSentinelSetup {
  masterName: string;
  /** The sentinels in `host:port` form (the REDIS_SENTINELS value is `sentinels.join(",")`). */
  sentinels: string[];
  /** The two data nodes (primary first at start; roles change on failover). */
  dataNodes: readonly RedisProcess[];
  sentinelNodes: readonly RedisProcess[];
  /** The port of the primary the sentinels name now. */
  primaryPort(): Promise<number>;
  /** `SENTINEL FAILOVER <name>`; resolves with the new primary's port once it answers as master. */
  failover(): Promise<number>;
  /** SIGKILLs the primary and waits until the sentinels promoted the replica; resolves with its port. */
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
 * Starts a primary, a replica (`--replicaof`) and three `redis-server sentinel.conf
 * --sentinel` (each its own writable conf file and directory), and waits until every
 * sentinel knows the replica and the two other sentinels (so a failover can be elected).
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
    const primary = await spawnRedisProcess(primaryPort, tempDir("sentinel-primary"), ["--save", "", "--appendonly", "no", ...auth], { password });
    all.push(primary);
    const replica = await spawnRedisProcess(await freePort(), tempDir("sentinel-replica"), ["--save", "", "--appendonly", "no", "--replicaof", "127.0.0.1", String(primaryPort), ...auth], { password });
    all.push(replica);
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
    const dataNodes = [primary, replica];
    await waitFor(() => role(replica.port, password).then((r) => r === "slave"), 10_000, "the replica to sync");
    const sees = async (port: number) => {
      const replicas = (await ask(port, undefined, (c) => c.call("SENTINEL", "REPLICAS", masterName))) as unknown[];
      const others = (await ask(port, undefined, (c) => c.call("SENTINEL", "SENTINELS", masterName))) as unknown[];
      return replicas.length === 1 && others.length === 2;
    };
    await waitFor(async () => (await Promise.all(sentinelNodes.map((n) => sees(n.port)))).every(Boolean), 30_000, "every sentinel to see the replica and the other sentinels", 200);

    const named = async (port: number) => {
      const [, namedPort] = (await ask(port, undefined, (c) => c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName))) as [string, string];
      return Number(namedPort);
    };
    const primaryPortNow = () => named(sentinelNodes.find((n) => n.running)!.port);
    /** Every sentinel names `port`, and it answers as master. */
    const promoted = async (port: number) => (await Promise.all(sentinelNodes.map((n) => named(n.port)))).every((p) => p === port) && (await role(port, password)) === "master";
    const other = async () => {
      const now = await primaryPortNow();
      return dataNodes.find((n) => n.port !== now)!.port;
    };
    return {
      masterName,
      sentinels: sentinelNodes.map((n) => `127.0.0.1:${n.port}`),
      dataNodes,
      sentinelNodes,
      primaryPort: primaryPortNow,
      async failover() {
        const next = await other();
        await ask(sentinelNodes[0]!.port, undefined, (c) => c.call("SENTINEL", "FAILOVER", masterName));
        await waitFor(() => promoted(next), 30_000, `sentinels to promote ${next}`, 100);
        return next;
      },
      async killPrimary() {
        const now = await primaryPortNow();
        const next = await other();
        await dataNodes.find((n) => n.port === now)!.kill(true);
        await waitFor(() => promoted(next), 30_000, `sentinels to promote ${next} after killing ${now}`, 100);
        return next;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
