import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer } from "./loopback-server.js";

export interface RecordedCall {
  path: string;
  token: string;
  body: Record<string, unknown>;
  at: number;
  status: number;
  /** What `verify` returned for the token (claims), when a verifier is set. */
  claims?: Record<string, unknown>;
}

export type TokenVerifier = (token: string) => Promise<Record<string, unknown>>;

/**
 * A small stand-in for the worker-api: records every call with the token it carried and
 * answers 200, or 401 when the verifier (token-policy's verifyAccessToken in the
 * integration tests) rejects the token.
 */
export class RecordingApi extends LoopbackServer {
  readonly calls: RecordedCall[] = [];
  readonly rejections: { path: string; reason: string }[] = [];
  constructor(readonly verify?: TokenVerifier) {
    super();
  }

  callsTo(suffix: string, since = 0): RecordedCall[] {
    return this.calls.filter((c) => c.at >= since && c.path.endsWith(suffix));
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const at = Date.now();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // recorded as empty
    }
    let status = 200;
    let claims: Record<string, unknown> | undefined;
    if (this.verify) {
      try {
        claims = await this.verify(token);
      } catch (error) {
        status = 401;
        this.rejections.push({ path: req.url ?? "", reason: (error as Error).message });
      }
    }
    this.calls.push({ path: req.url ?? "", token, body, at, status, ...(claims ? { claims } : {}) });
    res.statusCode = status;
    if (status === 401) res.setHeader("WWW-Authenticate", 'Bearer error="invalid_token"');
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(status === 200 ? { ok: true } : { error: "invalid_token" }));
  }
}
