import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type EndpointMode = "ok" | "unavailable" | "invalid_grant" | "garbage";

export interface RecordedRefresh {
  grantType: string | null;
  refreshToken: string | null;
  clientId: string | null;
  contentType: string | undefined;
}

/**
 * A small scripted token endpoint for unit tests: answers refresh grants with opaque
 * numbered tokens and records every request. `mode` switches what it answers.
 */
export class RecordingTokenEndpoint {
  readonly requests: RecordedRefresh[] = [];
  mode: EndpointMode = "ok";
  expiresIn = 3600;
  /** When set, answers wait until this promise resolves. */
  gate: Promise<void> | null = null;
  #counter = 0;
  #server: Server;
  url = "";

  constructor(readonly sessionId = "sess-1") {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/oauth2/token`;
    return this;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** The pair the endpoint would hand out next, for seeding a session. */
  issue(): { access_token: string; refresh_token: string; expires_in: number; session_id: string } {
    this.#counter += 1;
    return {
      access_token: `at-${this.#counter}`,
      refresh_token: `gtr_${this.#counter}`,
      expires_in: this.expiresIn,
      session_id: this.sessionId,
    };
  }

  get refreshCount(): number {
    return this.requests.length;
  }

  async #handle(req: IncomingMessage, res: import("node:http").ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const form = new URLSearchParams(raw);
    this.requests.push({
      grantType: form.get("grant_type"),
      refreshToken: form.get("refresh_token"),
      clientId: form.get("client_id"),
      contentType: req.headers["content-type"],
    });
    if (this.gate) await this.gate;
    res.setHeader("content-type", "application/json");
    if (this.mode === "unavailable") {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: "temporarily_unavailable" }));
    } else if (this.mode === "invalid_grant") {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: "invalid_grant", error_description: "refresh token is not current" }));
    } else if (this.mode === "garbage") {
      res.end("not json");
    } else {
      res.end(JSON.stringify({ ...this.issue(), token_type: "Bearer", scope: "agent" }));
    }
  }
}
