/**
 * Bounds of every service's HTTP server (issue 14: Node's defaults are 60 s for the
 * headers, 300 s for a request and no connection cap, so a slow or flooding client can
 * hold sockets and memory for minutes). One place, documented with the why.
 */
export interface ServerBounds {
  /**
   * A client must send the complete request headers within this long after connecting
   * (slowloris). 10 s: our clients are services and agents on the same network.
   */
  headersTimeoutMs: number;
  /**
   * A whole request (headers and body) must arrive within this long. 30 s: the largest
   * bodies (512 KiB) take milliseconds on any working link.
   */
  requestTimeoutMs: number;
  /**
   * An idle keep-alive connection is closed after this long. 5 s (Node's default),
   * shorter than the usual 60 s of load balancers so the server closes first.
   */
  keepAliveTimeoutMs: number;
  /**
   * Open connections at most; more are refused at once. 4096 leaves room for thousands
   * of agents per worker-api instance while bounding sockets and memory.
   */
  maxConnections: number;
  /** How often Node checks the two timeouts above (it checks on an interval, 30 s by default). */
  timeoutCheckIntervalMs: number;
  /** `close()` lets in-flight requests finish this long, then cuts what is left. */
  closeGraceMs: number;
}

export const DEFAULT_SERVER_BOUNDS: Readonly<ServerBounds> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4096,
  timeoutCheckIntervalMs: 1_000,
  closeGraceMs: 10_000,
});
