import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MAX_RETRY_AFTER_RETRIES, PluginClient } from "../src/plugin/client.js";
import { LoopbackServer } from "./helpers/loopback-server.js";

interface Scripted {
  status: number;
  headers?: Record<string, string>;
}

/** Answers each request with the next scripted answer (then 202), and counts them. */
class ScriptedWorker extends LoopbackServer {
  script: Scripted[] = [];
  requests = 0;
  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req);
    this.requests += 1;
    const next = this.script.shift() ?? { status: 202 };
    res.writeHead(next.status, { "content-type": "application/json", ...next.headers }).end(JSON.stringify({ n: this.requests }));
  }
}

describe("PluginClient: 503 and 429 with a short Retry-After are waited out (RFC 9110 §10.2.3)", () => {
  const worker = new ScriptedWorker();
  let dir: string;
  let client: PluginClient;
  const waits: number[] = [];
  before(async () => {
    await worker.start();
    dir = mkdtempSync(join(tmpdir(), "gt-plugin-"));
    writeFileSync(join(dir, "token"), "access-token\n", { mode: 0o600 });
    client = new PluginClient({
      apiUrl: worker.url,
      tokenFile: join(dir, "token"),
      agentId: "polecat-1",
      townId: "town-1",
      rigId: "rig-1",
      role: "polecat",
      sleep: async (ms) => void waits.push(ms),
    });
  });
  after(async () => {
    await worker.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = async (script: Scripted[]) => {
    worker.script = script;
    worker.requests = 0;
    waits.length = 0;
    const response = await client.event({ kind: "progress" });
    return { status: response.status, requests: worker.requests, waits: [...waits] };
  };

  it("a 503 with Retry-After: 1, then success: sent again after the wait", async () => {
    assert.deepEqual(await run([{ status: 503, headers: { "retry-after": "1" } }]), { status: 202, requests: 2, waits: [1000] });
  });

  it("a 429 with Retry-After: 2 is waited out the same way", async () => {
    assert.deepEqual(await run([{ status: 429, headers: { "retry-after": "2" } }]), { status: 202, requests: 2, waits: [2000] });
  });

  it(`at most ${MAX_RETRY_AFTER_RETRIES} retries: then the agent gets the 503`, async () => {
    const busy = { status: 503, headers: { "retry-after": "1" } };
    assert.deepEqual(await run([busy, busy, busy, busy]), { status: 503, requests: 1 + MAX_RETRY_AFTER_RETRIES, waits: [1000, 1000] });
  });

  it("no Retry-After, a long one, a date, or another status: answered as it came, sent once", async () => {
    for (const answer of [{ status: 503 }, { status: 429, headers: { "retry-after": "3600" } }, { status: 503, headers: { "retry-after": "Wed, 21 Oct 2026 07:28:00 GMT" } }, { status: 500, headers: { "retry-after": "1" } }]) {
      assert.deepEqual(await run([answer]), { status: answer.status, requests: 1, waits: [] }, JSON.stringify(answer));
    }
  });
});
