import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer } from "./loopback-server.js";

/**
 * A loopback proxy in front of the auth-service that can play "unreachable" (it drops
 * connections) and counts refresh grants, so tests can see what the supervisor sent.
 */
export class AuthProxy extends LoopbackServer {
  down = false;
  refreshes = 0;
  rejectedWhileDown = 0;

  constructor(readonly target: string) {
    super();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const isRefresh = new URLSearchParams(raw).get("grant_type") === "refresh_token";
    if (this.down) {
      if (isRefresh) this.rejectedWhileDown += 1;
      req.socket.destroy();
      return;
    }
    if (isRefresh) this.refreshes += 1;
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "authorization"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const upstream = await fetch(`${this.target}${req.url}`, { method: req.method, headers, body: req.method === "GET" ? undefined : raw });
    res.statusCode = upstream.status;
    res.setHeader("content-type", upstream.headers.get("content-type") ?? "application/json");
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }
}
