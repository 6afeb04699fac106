import type { Logger } from "pino";
import type { AgentSession } from "../session/agent-session.js";

/**
 * POSTs a JSON body to the worker-api with the session's access token, taken from the
 * session at send time (the supervisor stores no token string). Returns the status, or
 * 0 when the worker was unreachable; failures are logged with the session id only.
 */
export async function postWithSession(session: AgentSession, url: string, body: unknown, log: Logger, what: string): Promise<number> {
  try {
    const res = await session.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await res.body?.cancel();
    if (!res.ok) log.warn({ what, status: res.status, sessionId: session.status().session_id }, "worker-api refused a callback");
    return res.status;
  } catch (error) {
    log.warn({ what, err: (error as Error).message, sessionId: session.status().session_id }, "callback to worker-api failed");
    return 0;
  }
}
