import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the proxy passed it on. */
export interface Routed {
  at: number;
  method: string;
  path: string;
  /** Index of the upstream that answered; -1 when none did. */
  upstream: number;
  status: number;
  /** Upstreams tried before this one refused the connection. */
  refused: number;
}

const RETRY_FOR_MS = 15_000;

/**
 * A small round-robin HTTP proxy in front of several worker-api instances, as a load
 * balancer would be: each request goes to the next upstream; an upstream that refuses the
 * connection (stopped, restarting, draining: it no longer listens) is skipped and the next
 * one tried, for up to 15 s, so a request never reaches an instance that cannot take it.
 * A connection lost after the request was sent is not retried (it may have been acted on).
 */
export class RoundRobinProxy {
  readonly routed: Routed[] = [];
  url = "";
  #next = 0;
  #server: Server | undefined;

  constructor(
    readonly port: number,
    readonly upstreams: string[],
  ) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => void this.#forward(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async #forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const started = Date.now();
    let refused = 0;
    for (;;) {
      const upstream = this.#next % this.upstreams.length;
      this.#next += 1;
      const outcome = await this.#try(upstream, req, res, body);
      if (outcome !== "refused") {
        this.routed.push({ at: Date.now(), method: req.method ?? "", path: req.url ?? "", upstream: outcome === "lost" ? -1 : upstream, status: outcome === "lost" ? 0 : outcome, refused });
        return;
      }
      refused += 1;
      if (Date.now() - started > RETRY_FOR_MS) break;
      if (refused % this.upstreams.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.routed.push({ at: Date.now(), method: req.method ?? "", path: req.url ?? "", upstream: -1, status: 502, refused });
    res.writeHead(502).end();
  }

  /** Answers the status passed on, "refused" (not connected: try another), or "lost" (connection lost after sending). */
  #try(upstream: number, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<number | "refused" | "lost"> {
    const target = new URL(this.upstreams[upstream]!);
    return new Promise((resolve) => {
      let connected = false;
      const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host, connection: "close" }, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", () => resolve(answer.statusCode ?? 502));
        answer.on("error", () => resolve("lost"));
      });
      out.on("socket", (socket) => socket.on("connect", () => (connected = true)));
      out.on("error", () => {
        if (!connected) return resolve("refused");
        req.socket.destroy();
        resolve("lost");
      });
      out.end(body);
    });
  }

  async close(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }
}
