import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ServiceProcess } from "./service.js";

const ENTRY = fileURLToPath(new URL("./ns-relay-entry.ts", import.meta.url));

export interface RelayTarget {
  host: string;
  port: number;
}

/**
 * The test's way into a namespace's network without adding an address or a route to
 * its own: 127.0.0.1:<port> here -> a Unix socket in `dir` -> a relay process inside the
 * namespace (`launcher`, e.g. `ip netns exec <ns>`) -> `host:port` there. So the test's
 * requests cross the bridge like any other host's.
 */
export class NamespaceRelay {
  readonly #servers = new Map<string, Server>();
  readonly #sockets = new Set<Socket>();

  private constructor(readonly process: ServiceProcess) {}

  static async start(launcher: readonly string[], dir: string, targets: Record<string, RelayTarget>): Promise<NamespaceRelay> {
    const sockets = Object.entries(targets).map(([name, { host, port }]) => ({ name, path: join(dir, `relay-${name}.sock`), to: `${host}:${port}` }));
    const args = ["--import", "tsx", ENTRY, ...sockets.map((s) => `${s.path}=${s.to}`)];
    const child = new ServiceProcess("relay", args, { PATH: process.env.PATH }, async () => child.lines.includes("relay ready"), [...launcher, process.execPath]);
    const relay = new NamespaceRelay(child);
    try {
      await child.start();
      for (const s of sockets) relay.#servers.set(s.name, await relay.#listen(s.path));
    } catch (error) {
      await relay.close();
      throw error;
    }
    return relay;
  }

  /** The local port that leads to target `name`. */
  port(name: string): number {
    const server = this.#servers.get(name);
    if (!server) throw new RangeError(`no relay target ${name}`);
    return (server.address() as { port: number }).port;
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.port(name)}`;
  }

  async close(): Promise<void> {
    for (const server of this.#servers.values()) server.close();
    for (const socket of this.#sockets) socket.destroy();
    await this.process.stop();
  }

  /** A loopback listener piping each connection to the Unix socket. */
  #listen(path: string): Promise<Server> {
    const server = createServer((inbound) => {
      const outbound = createConnection(path);
      for (const socket of [inbound, outbound]) {
        this.#sockets.add(socket);
        socket.on("error", () => {}).on("close", () => {
          this.#sockets.delete(socket);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    return new Promise((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve(server)));
  }
}
