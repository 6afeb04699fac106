import { spawn } from "node:child_process";
import { freePort } from "./ports.js";
import { askNode as ask, type RedisProcess, spawnRedisProcess, tempDir } from "./redis-process.js";
import { waitFor } from "./wait.js";

export interface RedisClusterOptions {
  /** requirepass and masterauth of every node. */
  password?: string;
  /** cluster-node-timeout (ms): how soon a killed primary is failed over. Default 1000. */
  nodeTimeoutMs?: number;
}

/** A local Redis Cluster: 3 primaries with one replica each, on loopback free ports. */
export interface RedisCluster {
  /** Every node, in `host:port` form (the REDIS_CLUSTER_NODES value is `seeds.join(",")`). */
  seeds: string[];
  nodes: readonly RedisProcess[];
  /** The port of the primary that serves this key's slot now. */
  primaryOf(key: string): Promise<number>;
  /** The port of a replica of the primary on `port`. */
  replicaOf(port: number): Promise<number>;
  /** `CLUSTER FAILOVER` on a replica of the primary on `port`; resolves with the new primary's port once every node agrees. */
  failover(port: number): Promise<number>;
  /** SIGKILLs the primary on `port` and waits until its replica took over; resolves with the new primary's port. */
  killPrimary(port: number): Promise<number>;
  /** Stops every node (by PID). */
  stop(): Promise<void>;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (cause) => reject(new Error(`cannot run ${command} (install redis-tools / redis-server)`, { cause })));
    child.once("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${output}`))));
  });
}

/** `CLUSTER NODES` of one node, as {port, role, primaryId, id, failed}. */
async function clusterNodes(port: number, password?: string) {
  const text = await ask(port, password, (c) => c.call("CLUSTER", "NODES") as Promise<string>);
  return text.trim().split("\n").map((line) => {
    const [id, address, flags, primaryId] = line.split(" ");
    return { id: id!, port: Number(address!.split("@")[0]!.split(":")[1]), primary: flags!.includes("master"), failed: flags!.includes("fail"), primaryId: primaryId! };
  });
}

/** Every live node says cluster_state:ok and sees `primaryPort` as a primary (when given). */
async function settled(ports: readonly number[], password: string | undefined, primaryPort?: number): Promise<boolean> {
  for (const port of ports) {
    const info = await ask(port, password, (c) => c.call("CLUSTER", "INFO") as Promise<string>);
    if (!info.includes("cluster_state:ok")) return false;
    if (primaryPort !== undefined && !(await clusterNodes(port, password)).some((n) => n.port === primaryPort && n.primary && !n.failed)) return false;
  }
  return true;
}

/**
 * Starts 6 `redis-server --cluster-enabled yes` nodes (each its own directory and
 * nodes.conf), joins them with `redis-cli --cluster create --cluster-replicas 1`, and waits
 * for cluster_state:ok on every node. Only `redis-server` and `redis-cli` from PATH.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const { password } = options;
  const auth = password ? ["--requirepass", password, "--masterauth", password] : [];
  const nodes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill(true)));
  };
  try {
    for (let i = 0; i < 6; i += 1) {
      const port = await freePort();
      const args = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", String(options.nodeTimeoutMs ?? 1000), "--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0", ...auth];
      nodes.push(await spawnRedisProcess(port, tempDir(`cluster-${i}`), args, { password }));
    }
    const seeds = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run("redis-cli", [...(password ? ["--no-auth-warning", "-a", password] : []), "--cluster", "create", ...seeds, "--cluster-replicas", "1", "--cluster-yes"]);
    const live = () => nodes.filter((n) => n.running).map((n) => n.port);
    await waitFor(() => settled(live(), password), 20_000, "cluster_state:ok on every node", 100);

    const replicaOf = async (port: number) => {
      const all = await clusterNodes(port, password);
      const primary = all.find((n) => n.port === port && n.primary);
      const replica = primary && all.find((n) => n.primaryId === primary.id && !n.failed);
      if (!replica) throw new Error(`no replica of ${port}`);
      return replica.port;
    };
    return {
      seeds,
      nodes,
      primaryOf: async (key) => {
        const seed = live()[0]!;
        const slot = await ask(seed, password, (c) => c.call("CLUSTER", "KEYSLOT", key) as Promise<number>);
        const slots = (await ask(seed, password, (c) => c.call("CLUSTER", "SLOTS"))) as [number, number, [string, number]][];
        const range = slots.find(([from, to]) => slot >= from && slot <= to);
        if (!range) throw new Error(`slot ${slot} is not served`);
        return range[2][1];
      },
      replicaOf,
      async failover(port) {
        const replica = await replicaOf(port);
        await ask(replica, password, (c) => c.call("CLUSTER", "FAILOVER"));
        await waitFor(() => settled(live(), password, replica), 20_000, `replica ${replica} to take over from ${port}`, 100);
        // the old primary now replicates the new one (so a later failover or kill has a replica)
        await waitFor(() => replicaOf(replica).then((p) => p === port), 20_000, `${port} to follow ${replica}`, 100);
        return replica;
      },
      async killPrimary(port) {
        const replica = await replicaOf(port);
        await nodes.find((n) => n.port === port)?.kill(true);
        await waitFor(() => settled(live(), password, replica), 30_000, `replica ${replica} to take over from killed ${port}`, 100);
        return replica;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
