import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { listenUrl } from "../settings/values.js";
import { DEFAULT_SERVER_BOUNDS, type ServerBounds } from "./server-bounds.js";
import { readTlsFiles, type TlsFiles } from "./tls.js";

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ListenOptions {
  host: string;
  /** 0: an ephemeral port. */
  port: number;
  /** Overrides of `DEFAULT_SERVER_BOUNDS` (tests shorten them). */
  bounds?: Partial<ServerBounds>;
  /** Serve HTTPS with this certificate chain and key (read once, here); plain HTTP when absent. */
  tls?: TlsFiles;
}

export interface HttpServer {
  /** `http(s)://<host>:<port>` as this server is reached (a wildcard host reads as 127.0.0.1). */
  url: string;
  port: number;
  server: Server;
  /** Requests being answered now. */
  readonly inFlight: number;
  /**
   * Graceful close: stops accepting, lets requests in flight finish (at most
   * `closeGraceMs`, then cuts them), closes idle keep-alive connections as soon as they
   * are idle. Resolves once every connection is gone; calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * The one way every service listens: an HTTP server with the bounds of `ServerBounds`
 * (headers and request timeouts, keep-alive timeout, connection cap) and a graceful
 * `close()` that a SIGTERM drain can await.
 */
export async function listen(handler: RequestHandler, options: ListenOptions): Promise<HttpServer> {
  const bounds = { ...DEFAULT_SERVER_BOUNDS, ...options.bounds };
  let inFlight = 0;
  let closing: Promise<void> | undefined;
  const serverOptions = {
    headersTimeout: bounds.headersTimeoutMs,
    requestTimeout: bounds.requestTimeoutMs,
    keepAliveTimeout: bounds.keepAliveTimeoutMs,
    connectionsCheckingInterval: bounds.timeoutCheckIntervalMs,
  };
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
      inFlight++;
      // While closing, each answer ends its connection (no new request on it).
      if (closing) res.setHeader("Connection", "close");
      res.once("close", () => {
        inFlight--;
        // The connection turns idle once the answer is written: then close it.
        if (closing) setImmediate(() => server.closeIdleConnections());
      });
      handler(req, res);
  };
  // An https.Server is an http.Server underneath (same timeouts, close and connection calls).
  const server: Server = options.tls ? createHttpsServer({ ...serverOptions, ...readTlsFiles(options.tls) }, answer) : createServer(serverOptions, answer);
  server.maxConnections = bounds.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: listenUrl(options.host, port, options.tls ? "https" : "http"),
    port,
    server,
    get inFlight() {
      return inFlight;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), bounds.closeGraceMs);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
