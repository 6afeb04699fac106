import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Every namespace made here is `gtnet-<pid of the test process>-<random>-<host>`. */
const PREFIX = "gtnet";
const OURS = /^gtnet-(\d+)-[a-z0-9]+-[a-z]+$/;
/** The hosts' network: 198.18.0.0/15 is for benchmarking (RFC 2544 §C.2.2), never routed. */
const NETMASK_BITS = 24;

async function ip(...args: string[]): Promise<string> {
  return (await run("ip", args)).stdout;
}

const why = (error: unknown) => {
  const e = error as { code?: unknown; stderr?: unknown; message: string };
  if (e.code === "ENOENT") return "the ip command (iproute2) is not installed";
  return String(e.stderr ?? "").trim() || e.message;
};

/**
 * Why this machine cannot make network namespaces (not root, no iproute2, `ip netns add`
 * refused), or undefined when it can: it adds and deletes one.
 */
export async function netnsUnavailable(): Promise<string | undefined> {
  const uid = process.getuid?.();
  if (uid !== 0) return `the test runs as uid ${uid}, and ip netns needs root`;
  const probe = `${PREFIX}-${process.pid}-probe-x`;
  try {
    await ip("netns", "add", probe);
  } catch (error) {
    return `ip netns add failed: ${why(error)}`;
  } finally {
    await ip("netns", "delete", probe).catch(() => {});
  }
  return undefined;
}

async function namespaces(): Promise<string[]> {
  // Lines read `<name>` or `<name> (id: <n>)`.
  return (await ip("netns", "list")).split("\n").map((line) => line.split(" ")[0]!).filter((name) => name.length > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Stops what still runs in the namespace (by process id), then deletes it. */
async function remove(ns: string): Promise<void> {
  const pids = (await ip("netns", "pids", ns).catch(() => "")).split("\n").filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  await ip("netns", "delete", ns).catch(() => {});
}

/** Deletes the namespaces of earlier runs of these tests whose process is gone (a crash); answers their names. */
export async function sweepLeftovers(): Promise<string[]> {
  const stale = (await namespaces()).filter((name) => {
    const owner = OURS.exec(name)?.[1];
    return owner !== undefined && !alive(Number(owner));
  });
  for (const ns of stale) await remove(ns);
  return stale;
}

/**
 * Hosts as network namespaces on one bridge, which sits in a "switch" namespace of its
 * own: each host has `lo` and an `eth0` with its address (/24), and a veth into the bridge.
 * Nothing is added to the test's own namespace (every link is made inside the namespaces,
 * so link names never clash with the host's or another run's).
 */
export class NetnsLab {
  readonly #run = `${PREFIX}-${process.pid}-${randomBytes(3).toString("hex")}`;
  readonly #made: string[] = [];

  private constructor(readonly addresses: Readonly<Record<string, string>>) {}

  /** `hosts`: host name ([a-z]+, at most 10 letters) -> IPv4 address in one /24. */
  static async create(hosts: Record<string, string>): Promise<NetnsLab> {
    const lab = new NetnsLab(hosts);
    try {
      const hub = await lab.#add("switch");
      await ip("-n", hub, "link", "add", "br0", "type", "bridge");
      await ip("-n", hub, "link", "set", "br0", "up");
      for (const [host, address] of Object.entries(hosts)) {
        if (!/^[a-z]{1,10}$/.test(host)) throw new RangeError(`host name ${host}: [a-z]{1,10} (its link p-<host> must fit 15 characters)`);
        const ns = await lab.#add(host);
        await ip("-n", hub, "link", "add", `p-${host}`, "type", "veth", "peer", "name", "eth0", "netns", ns);
        await ip("-n", hub, "link", "set", `p-${host}`, "master", "br0", "up");
        await ip("-n", ns, "addr", "add", `${address}/${NETMASK_BITS}`, "dev", "eth0");
        await ip("-n", ns, "link", "set", "eth0", "up");
      }
    } catch (error) {
      await lab.close();
      throw error;
    }
    return lab;
  }

  async #add(host: string): Promise<string> {
    const ns = this.namespace(host);
    await ip("netns", "add", ns);
    this.#made.push(ns);
    await ip("-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  namespace(host: string): string {
    return `${this.#run}-${host}`;
  }

  /** The command-line prefix that runs a program on `host`. */
  exec(host: string): string[] {
    return ["ip", "netns", "exec", this.namespace(host)];
  }

  /**
   * A TCP connection from inside `host`'s namespace to `address:port`: answers
   * `"connected"` or the error code (`ECONNREFUSED`, ...).
   */
  async connectFrom(host: string, address: string, port: number): Promise<string> {
    const script = `require("node:net").connect(Number(process.argv[2]), process.argv[1])
      .on("connect", function () { console.log("connected"); this.destroy(); })
      .on("error", (e) => console.log(e.code)).setTimeout(2000, function () { console.log("ETIMEDOUT"); this.destroy(); });`;
    const [program, ...leading] = [...this.exec(host), process.execPath];
    return (await run(program!, [...leading, "-e", script, address, String(port)])).stdout.trim();
  }

  /** Stops whatever still runs in its namespaces and deletes them (with them every link and the bridge). */
  async close(): Promise<void> {
    for (const ns of this.#made.splice(0).reverse()) await remove(ns);
  }
}
