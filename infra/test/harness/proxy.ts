import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One token-endpoint exchange seen on the wire between the container and the auth-service. */
export interface Exchange {
  /** When the request arrived at the proxy, and when its answer came back (epoch ms). */
  startedAt: number;
  at: number;
  path: string;
  grantType: string | null;
  /** The refresh token the container presented (the attacker's view of the wire). */
  sentRefreshToken: string | null;
  status: number;
  response: { access_token?: string; refresh_token?: string; session_id?: string; error?: string };
  /** True when the proxy swallowed the response and closed the socket. */
  dropped: boolean;
}

/** A request as it arrived (before any answer). */
export interface ProxiedRequest {
  at: number;
  grantType: string | null;
}

/**
 * A small loopback HTTP proxy in front of the auth-service: it forwards every request,
 * records what it saw, and can swallow one response (closing the client's socket after the
 * auth-service already processed the request), as a lost network response would.
 */
export class TokenProxy {
  readonly exchanges: Exchange[] = [];
  readonly requests: ProxiedRequest[] = [];
  /** When set, the first exchange it accepts has its response dropped; then it is cleared. */
  dropWhen: ((exchange: Exchange) => boolean) | undefined;
  url = "";
  #server: Server | undefined;

  constructor(readonly target: string) {}

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const startedAt = Date.now();
        const form = new URLSearchParams(body.toString());
        this.requests.push({ at: startedAt, grantType: form.get("grant_type") });
        const upstream = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on("data", (chunk: Buffer) => parts.push(chunk));
            answer.on("end", () => {
              const text = Buffer.concat(parts).toString();
              let json: Exchange["response"] = {};
              try {
                json = JSON.parse(text) as Exchange["response"];
              } catch {
                // not JSON
              }
              const exchange: Exchange = {
                startedAt,
                at: Date.now(),
                path: req.url ?? "",
                grantType: form.get("grant_type"),
                sentRefreshToken: form.get("refresh_token"),
                status: answer.statusCode ?? 0,
                response: json,
                dropped: false,
              };
              if (this.dropWhen?.(exchange)) {
                this.dropWhen = undefined;
                exchange.dropped = true;
                this.exchanges.push(exchange);
                req.socket.destroy();
                return;
              }
              this.exchanges.push(exchange);
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(text);
            });
          },
        );
        upstream.on("error", () => {
          // The auth-service is unreachable: the client sees the connection fail, as it would without the proxy.
          this.exchanges.push({ startedAt, at: Date.now(), path: req.url ?? "", grantType: form.get("grant_type"), sentRefreshToken: form.get("refresh_token"), status: 0, response: {}, dropped: false });
          req.socket.destroy();
        });
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Refresh exchanges of one session, in order. */
  refreshes(sessionId: string): Exchange[] {
    return this.exchanges.filter((e) => e.grantType === "refresh_token" && e.response.session_id === sessionId);
  }

  async close(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }
}
