import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { freePort, waitFor } from "@gastown/testkit";
import { loadPolicy, retryDelayMs } from "@gastown/token-policy";
import pino from "pino";
import { startSupervisor } from "../src/index.js";
import { AgentSession } from "../src/session/agent-session.js";
import { OUTBOX_ITEM_MAX_BYTES, Outbox, type OutboxItem } from "../src/supervisor/outbox.js";
import { CONTROL_TOKEN, control, sampleAgentCommand } from "./helpers/agent-command.js";
import { FakeTime } from "./helpers/fake-time.js";
import { ScriptedWorker } from "./helpers/scripted-worker.js";
import { RecordingTokenEndpoint } from "./helpers/token-endpoint.js";

const policy = loadPolicy({}, { retryMinMs: 1_000, retryMaxMs: 8_000, minRefreshIntervalMs: 100 });
const silent = pino({ level: "silent" });

function newSession(): AgentSession {
  // The token endpoint is never reached: a one-hour pair refreshes long after these tests.
  return new AgentSession({ tokenEndpoint: "http://127.0.0.1:9/oauth2/token", clientId: "gastown-container", tokens: { access_token: "outbox-access", refresh_token: "gtr_outbox", expires_in: 3600, session_id: "sess-outbox" }, policy });
}

function event(worker: ScriptedWorker, n: number): OutboxItem {
  return { url: `${worker.url}/api/towns/t1/agents/a1/events`, body: { type: "step", n }, what: "event" };
}

/** Fires backoff timers of the fake time, each once the outbox is waiting, until `done`. */
async function driveUntil(time: FakeTime, done: () => boolean, what: string): Promise<number[]> {
  const delays: number[] = [];
  for (;;) {
    await waitFor(() => done() || time.pending > 0, 20_000, what);
    if (done()) return delays;
    delays.push(time.nextAt()! - time.now);
    time.fireNext();
  }
}

describe("Outbox: ordered, retried delivery to the worker-api", () => {
  let worker: ScriptedWorker;
  let session: AgentSession;
  let time: FakeTime;
  const meter = { pending: 0, dropped: 0 };
  const metered = { pendingChanged: (d: number) => (meter.pending += d), dropped: () => (meter.dropped += 1) };
  const random = () => 1;

  beforeEach(async () => {
    worker = await new ScriptedWorker().start();
    session = newSession();
    time = new FakeTime();
    meter.pending = 0;
    meter.dropped = 0;
  });
  afterEach(async () => {
    session.close();
    await worker.stop();
  });

  it("retries 5xx, 408 and 429 with the policy's backoff and delivers every event exactly once, in order", async () => {
    const statuses = [503, 503, 500, 408, 429];
    worker.answer = (_path, n) => statuses[n] ?? 200;
    const outbox = new Outbox({ session, policy, log: silent, timers: time.timers, random, meter: metered });
    for (let n = 0; n < 20; n++) outbox.enqueue(event(worker, n));
    assert.equal(meter.pending, 20);
    const delays = await driveUntil(time, () => outbox.pending === 0, "all events delivered");
    await outbox.idle();
    assert.deepEqual(worker.accepted().map((b) => b.n), Array.from({ length: 20 }, (_, n) => n));
    assert.deepEqual(delays, statuses.map((_, attempt) => retryDelayMs(attempt, policy, random)), "exponential backoff from the policy");
    assert.equal(worker.calls.length, 25);
    assert.ok(worker.calls.every((c) => c.token === "outbox-access"), "the session's token on every send");
    assert.equal(meter.pending, 0);
  });

  it("keeps events while the worker-api refuses connections and delivers them when it is back", async () => {
    const port = await freePort();
    worker.port = port;
    await worker.stop();
    const outbox = new Outbox({ session, policy, log: silent, timers: time.timers, random, meter: metered });
    for (let n = 0; n < 5; n++) outbox.enqueue(event(worker, n));
    for (let i = 0; i < 4; i++) {
      await waitFor(() => time.pending > 0, 20_000, "a backoff wait while down");
      time.fireNext();
    }
    assert.equal(outbox.pending, 5, "nothing lost while down");
    await worker.start(port);
    await driveUntil(time, () => outbox.pending === 0, "delivered after the outage");
    assert.deepEqual(worker.accepted().map((b) => b.n), [0, 1, 2, 3, 4]);
    assert.equal(worker.calls.length, 5, "each exactly once");
  });

  it("drops an item the worker-api refuses for good (400) and sends the next one", async () => {
    worker.answer = (_path, n) => (n === 1 ? 400 : 200);
    const outbox = new Outbox({ session, policy, log: silent, timers: time.timers, random, meter: metered });
    for (let n = 0; n < 3; n++) outbox.enqueue(event(worker, n));
    await outbox.idle();
    assert.deepEqual(worker.calls.map((c) => [c.body.n, c.status]), [[0, 200], [1, 400], [2, 200]]);
    assert.equal(time.pending, 0, "no retry of a permanent refusal");
    assert.equal(meter.pending, 0);
  });

  it("when full drops the oldest item, counts it, and delivers the rest in order", async () => {
    worker.answer = () => 503;
    const outbox = new Outbox({ session, policy, log: silent, timers: time.timers, random, meter: metered, capacity: 3 });
    for (let n = 0; n < 5; n++) outbox.enqueue(event(worker, n));
    assert.equal(outbox.pending, 3);
    assert.equal(meter.dropped, 2);
    assert.equal(meter.pending, 3);
    await waitFor(() => time.pending > 0, 20_000, "the head failed once");
    worker.answer = () => 200;
    await driveUntil(time, () => outbox.pending === 0, "the rest delivered");
    assert.deepEqual(worker.accepted().map((b) => b.n), [2, 3, 4]);
  });

  it("refuses a callback over the item size limit and drops the oldest past the byte budget, counting both", async () => {
    worker.answer = () => 503;
    let oversized = 0;
    const outbox = new Outbox({ session, policy, log: silent, timers: time.timers, random, meter: { ...metered, oversized: () => (oversized += 1) }, maxBytes: OUTBOX_ITEM_MAX_BYTES * 2 });
    const big = (n: number, bytes: number): OutboxItem => ({ ...event(worker, n), body: { n, pad: "x".repeat(bytes) } });
    assert.equal(outbox.enqueue(big(0, OUTBOX_ITEM_MAX_BYTES)), false, "over the limit once serialised");
    assert.deepEqual([oversized, outbox.pending, meter.pending, outbox.bytes], [1, 0, 0, 0], "refused, counted, nothing queued");
    for (let n = 1; n <= 3; n++) assert.equal(outbox.enqueue(big(n, OUTBOX_ITEM_MAX_BYTES - 100)), true);
    assert.equal(outbox.pending, 2, "the byte budget holds two of these");
    assert.equal(meter.dropped, 1);
    assert.ok(outbox.bytes <= OUTBOX_ITEM_MAX_BYTES * 2);
    await waitFor(() => time.pending > 0, 20_000, "the head failed once");
    worker.answer = () => 200;
    await driveUntil(time, () => outbox.pending === 0, "the rest delivered");
    assert.deepEqual(worker.accepted().map((b) => b.n), [2, 3], "the oldest was dropped, the oversized one never sent");
    assert.equal(outbox.bytes, 0);
  });

  it("flush gives up after its bounded time and reports what was left", async () => {
    worker.answer = () => 503;
    const outbox = new Outbox({ session, policy, log: silent, meter: metered });
    for (let n = 0; n < 4; n++) outbox.enqueue(event(worker, n));
    const left = await outbox.flush(300);
    assert.equal(left, 4);
    assert.equal(outbox.closed, true);
    assert.equal(meter.pending, 0);
    outbox.enqueue(event(worker, 9));
    assert.equal(outbox.pending, 0, "a closed outbox takes nothing");
  });
});

describe("supervisor: a completion report survives a worker-api outage", () => {
  it("queues the agent's event and /done while the worker-api is down and delivers both, in order, when it is back", async () => {
    const endpoint = await new RecordingTokenEndpoint("sess-outage").start();
    const port = await freePort();
    const worker = new ScriptedWorker();
    worker.port = port;
    const supervisor = await startSupervisor({
      env: { ...process.env, CONTAINER_CONTROL_TOKEN: CONTROL_TOKEN },
      port: 0,
      controlToken: CONTROL_TOKEN,
      apiUrl: worker.url,
      authUrl: endpoint.url.replace(/\/oauth2\/token$/, ""),
      agentCommand: sampleAgentCommand("--interval-ms", "50"),
      heartbeatIntervalMs: 60_000,
      policyOverrides: { retryMinMs: 50, retryMaxMs: 200, minRefreshIntervalMs: 10 },
      logLevel: "silent",
    });
    try {
      const start = { agent_id: "outage", rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat", prompt: "hello", tokens: endpoint.issue() };
      assert.equal((await control(supervisor.url, "POST", "/agents/start", start)).status, 201);
      const agent = supervisor.agents.get("outage")!;
      await waitFor(() => agent.outbox.pending >= 1, 20_000, "the event queued");
      assert.equal((await control(supervisor.url, "POST", "/agents/outage/message", { prompt: "stop" })).status, 202);
      await agent.ended;
      assert.equal(agent.state, "exited");
      await waitFor(() => agent.outbox.pending >= 2, 20_000, "event and completion queued");
      const metrics = await (await fetch(`${supervisor.url}/metrics`)).text();
      assert.match(metrics, /^gastown_container_outbox_pending\{[^}]*\} [2-9]/m);
      assert.match(metrics, /^gastown_container_outbox_dropped_total\{[^}]*\} 0$/m);
      await worker.start(port);
      await agent.finished;
      const delivered = worker.calls.filter((c) => !c.path.endsWith("/heartbeat") && c.status === 200);
      assert.deepEqual(delivered.map((c) => [c.path.replace(/^.*\/agents\/outage\//, ""), c.body.type ?? c.body.status]), [["events", "message_received"], ["done", "done"]]);
      assert.equal(agent.outbox.pending, 0);
      assert.ok(delivered.every((c) => c.token === start.tokens.access_token));
    } finally {
      await supervisor.close();
      await worker.stop();
      await endpoint.close();
    }
  });
});
