import { CHILD_CONFIG_ENV, type ChildConfig, type ReadyMessage, type ReplyMessage, type RequestMessage } from "./protocol.js";

export type Handler = (request: RequestMessage) => Promise<unknown>;

/** The settings the parent handed this child. */
export function childConfig(): ChildConfig {
  const raw = process.env[CHILD_CONFIG_ENV];
  return raw ? (JSON.parse(raw) as ChildConfig) : {};
}

/**
 * Child side of the protocol: announces `ready`, answers requests with `handlers`, and
 * on `stop` (or when the parent goes away) runs `close` and exits.
 */
export function serveParent(ready: ReadyMessage, handlers: Record<string, Handler>, close: () => Promise<void>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("a bench child must be started by the bench (IPC channel missing)");
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.on("message", async (message: RequestMessage) => {
    if (message.type === "stop") {
      send({ id: message.id, result: null } satisfies ReplyMessage, () => void shutdown());
      return;
    }
    const handler = handlers[message.type];
    let reply: ReplyMessage;
    try {
      if (!handler) throw new Error(`unknown request ${message.type}`);
      reply = { id: message.id, result: await handler(message) };
    } catch (error) {
      reply = { id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    send(reply);
  });
  process.on("disconnect", () => void shutdown());
  send(ready);
}

/** Fails the child loudly (the parent sees the exit and stderr). */
export function failChild(error: unknown): never {
  console.error(error);
  process.exit(1);
}
