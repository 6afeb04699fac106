import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One post the worker answered, in arrival order. */
export interface ScriptedCall {
  path: string;
  token: string;
  body: Record<string, unknown>;
  status: number;
}

/**
 * A worker-api stand-in for outbox tests: `answer(path, n)` (n counts posts to that path
 * from 0) picks the status of each post; `accepted` holds the 2xx bodies in order. It can
 * be stopped and started again on the same port (connection refused in between).
 */
export class ScriptedWorker {
  readonly calls: ScriptedCall[] = [];
  answer: (path: string, n: number) => number = () => 200;
  readonly #counts = new Map<string, number>();
  #server: Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  accepted(suffix = ""): Record<string, unknown>[] {
    return this.calls.filter((c) => c.status >= 200 && c.status < 300 && c.path.endsWith(suffix)).map((c) => c.body);
  }

  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const path = req.url ?? "";
    const n = this.#counts.get(path) ?? 0;
    this.#counts.set(path, n + 1);
    const status = this.answer(path, n);
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    this.calls.push({ path, token, body: JSON.parse(raw || "{}") as Record<string, unknown>, status });
    res.statusCode = status;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(status < 300 ? { ok: true } : { error: "scripted" }));
  }
}
