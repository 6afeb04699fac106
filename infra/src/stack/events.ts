/** What the local stack shows, one line each (never a token). */
export type StackEvent =
  | { kind: "started"; agent: string; pid: number | null; sessionId: string }
  | { kind: "refresh"; agent: string; sessionId: string; generation: number; expiresIn: number; nextInMs: number }
  | { kind: "retry"; agent: string; sessionId: string; attempt: number; retryInMs: number }
  | { kind: "lost"; agent: string; sessionId: string; code: string }
  | { kind: "push"; agent: string; sessionId: string }
  | { kind: "call"; agent: string; call: string; status: number; ok: boolean }
  | { kind: "revoked"; agent: string | null; sessionId: string; reason: string }
  | { kind: "ended"; agent: string; state: string; code: number | null };

function clock(at: Date): string {
  return at.toTimeString().slice(0, 8);
}

/** First characters of a session id: enough to tell sessions apart on screen. */
export function shortId(sessionId: string): string {
  return sessionId.length > 8 ? `${sessionId.slice(0, 8)}…` : sessionId;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `14:02:11 refresh  mayor      sid=AbC12345… gen 3 → next in 15.8s` */
export function formatEvent(event: StackEvent, at: Date = new Date()): string {
  const head = (word: string, agent: string | null) => `${clock(at)} ${word.padEnd(8)} ${(agent ?? "-").padEnd(10)}`;
  switch (event.kind) {
    case "started":
      return `${head("start", event.agent)} pid ${event.pid ?? "?"} sid=${shortId(event.sessionId)}`;
    case "refresh":
      return `${head("refresh", event.agent)} sid=${shortId(event.sessionId)} gen ${event.generation} (expires_in ${event.expiresIn}s) → next in ${seconds(event.nextInMs)}`;
    case "retry":
      return `${head("retry", event.agent)} sid=${shortId(event.sessionId)} refresh failed (attempt ${event.attempt + 1}) → retry in ${seconds(event.retryInMs)}`;
    case "lost":
      return `${head("lost", event.agent)} sid=${shortId(event.sessionId)} ${event.code}; waiting for a fresh dispatch`;
    case "push":
      return `${head("push", event.agent)} sid=${shortId(event.sessionId)} fresh session pushed (no restart)`;
    case "call":
      return `${head("call", event.agent)} ${event.call} ${event.status} ${event.ok ? "ok" : "FAILED"}`;
    case "revoked":
      return `${head("revoked", event.agent)} sid=${shortId(event.sessionId)} ${event.reason}`;
    case "ended":
      return `${head("ended", event.agent)} ${event.state}${event.code === null ? "" : ` (exit ${event.code})`}`;
  }
}
