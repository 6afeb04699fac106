import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import { childConfig, failChild, serveParent } from "./serve-parent.js";

/** Bare Koa answering a small POST: reads the JSON body, answers a small JSON object. */
async function main(): Promise<void> {
  childConfig();
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method !== "POST") {
      ctx.status = 405;
      return;
    }
    let body = "";
    for await (const chunk of ctx.req) body += chunk;
    const parsed = body.length > 0 ? (JSON.parse(body) as unknown) : {};
    ctx.body = { ok: true, received: typeof parsed === "object" };
  });
  const server = createServer(app.callback());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  serveParent({ type: "ready", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, {}, async () => {
    server.closeAllConnections();
    server.close();
  });
}

main().catch(failChild);
