import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { loadPolicy, refreshDelayMs } from "@gastown/token-policy";
import { AgentSession } from "../src/session/agent-session.js";
import { FakeTime } from "./helpers/fake-time.js";
import { RecordingTokenEndpoint } from "./helpers/token-endpoint.js";

const policy = loadPolicy({}, {});
const CLIENT_ID = "gastown-container";

function newSession(endpoint: RecordingTokenEndpoint, time: FakeTime, random: () => number = Math.random): AgentSession {
  return new AgentSession({ tokenEndpoint: endpoint.url, clientId: CLIENT_ID, tokens: endpoint.issue(), policy, clock: time.clock, timers: time.timers, random });
}

/** Fires the next timer and waits for the refresh it starts to settle. */
async function fireRefresh(session: AgentSession, time: FakeTime, event: "refreshed" | "refresh_failed" | "lost"): Promise<void> {
  const settled = once(session, event);
  assert.ok(time.fireNext(), "a refresh is scheduled");
  await settled;
}

describe("AgentSession refresh schedule", () => {
  let endpoint: RecordingTokenEndpoint;
  before(async () => {
    endpoint = await new RecordingTokenEndpoint().start();
  });
  after(() => endpoint.close());

  it("refreshes at the policy's refresh-ahead point, with jitter, for ten hours of policy", async () => {
    const time = new FakeTime();
    const start = time.now;
    const before = endpoint.refreshCount;
    const session = newSession(endpoint, time);
    let receivedAt = time.now;
    let previous = await session.getAccessToken();
    assert.equal(endpoint.refreshCount, before, "no refresh before the refresh point");
    while (time.now - start < 10 * 3600_000) {
      await fireRefresh(session, time, "refreshed");
      const elapsed = time.now - receivedAt;
      assert.ok(elapsed >= 3600_000 * (policy.refreshAheadFraction - policy.refreshJitterFraction), `refreshed too early: ${elapsed}`);
      assert.ok(elapsed <= 3600_000 * policy.refreshAheadFraction, `refreshed too late: ${elapsed}`);
      const request = endpoint.requests.at(-1)!;
      assert.equal(request.grantType, "refresh_token");
      assert.equal(request.clientId, CLIENT_ID);
      assert.equal(request.contentType, "application/x-www-form-urlencoded");
      const current = await session.getAccessToken();
      assert.notEqual(current, previous);
      previous = current;
      receivedAt = time.now;
    }
    assert.ok(endpoint.refreshCount - before >= 12, `expected at least 12 refreshes, got ${endpoint.refreshCount - before}`);
    assert.equal(session.status().refresh_failures, 0);
    assert.equal(session.status().last_refresh_at, Math.floor(receivedAt / 1000));
    session.close();
  });

  it("presents the refresh token it was last given (rotation)", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    await fireRefresh(session, time, "refreshed");
    const firstPresented = endpoint.requests.at(-1)!.refreshToken!;
    await fireRefresh(session, time, "refreshed");
    const secondPresented = endpoint.requests.at(-1)!.refreshToken!;
    assert.notEqual(firstPresented, secondPresented);
    assert.match(secondPresented, /^gtr_/);
    session.close();
  });

  it("counts the refresh point from local receipt time, whatever the clock says", async () => {
    const time = new FakeTime(Date.UTC(1999, 0, 1));
    const session = newSession(endpoint, time, () => 0);
    assert.equal(time.nextAt(), time.now + refreshDelayMs(3600, policy, () => 0));
    assert.equal(session.status().access_expires_at, Math.floor((time.now + 3600_000) / 1000));
    session.close();
  });

  it("100 concurrent getAccessToken calls at the refresh point cause exactly one refresh", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    const original = await session.getAccessToken();
    const before = endpoint.refreshCount;
    time.now = time.nextAt()!;
    const refreshed = once(session, "refreshed");
    const tokens = await Promise.all(Array.from({ length: 100 }, () => session.getAccessToken()));
    assert.ok(tokens.every((t) => t === original), "a still-valid token is served without waiting");
    await refreshed;
    assert.equal(endpoint.refreshCount - before, 1);
    const again = await Promise.all(Array.from({ length: 100 }, () => session.getAccessToken()));
    assert.equal(new Set(again).size, 1);
    assert.notEqual(again[0], original);
    assert.equal(endpoint.refreshCount - before, 1);
    session.close();
  });

  it("100 concurrent callers holding an expired token wait for one shared refresh", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    const original = await session.getAccessToken();
    const before = endpoint.refreshCount;
    time.now += 3600_000 + 1;
    const tokens = await Promise.all(Array.from({ length: 100 }, () => session.getAccessToken()));
    assert.equal(endpoint.refreshCount - before, 1);
    assert.equal(new Set(tokens).size, 1);
    assert.notEqual(tokens[0], original);
    session.close();
  });
});

describe("AgentSession failures", () => {
  let endpoint: RecordingTokenEndpoint;
  before(async () => {
    endpoint = await new RecordingTokenEndpoint().start();
  });
  after(() => endpoint.close());

  it("keeps serving the valid token with backoff while the auth-service answers 5xx, and recovers", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    const original = await session.getAccessToken();
    const expiresAt = time.now + 3600_000;
    endpoint.mode = "unavailable";
    const failures: number[] = [];
    session.on("refresh_failed", (e) => failures.push(e.retryInMs));
    let attempts = 0;
    while ((time.nextAt() ?? Infinity) < expiresAt - policy.retryMaxMs) {
      await fireRefresh(session, time, "refresh_failed");
      attempts += 1;
      assert.equal(await session.getAccessToken(), original);
      assert.equal(session.status().refresh_failures, attempts);
    }
    assert.ok(attempts >= 3);
    failures.forEach((delay, attempt) => {
      assert.ok(delay >= policy.minRefreshIntervalMs, `retry ${attempt} sooner than the minimum interval`);
      assert.ok(delay <= Math.min(policy.retryMaxMs, policy.retryMinMs * 2 ** attempt), `retry ${attempt} beyond its backoff ceiling`);
    });
    endpoint.mode = "ok";
    await fireRefresh(session, time, "refreshed");
    assert.notEqual(await session.getAccessToken(), original);
    assert.equal(session.status().refresh_failures, 0);
    session.close();
  });

  it("keeps retrying after the access token has expired", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    endpoint.mode = "garbage";
    const expiresAt = time.now + 3600_000;
    while (time.now <= expiresAt + 5 * policy.retryMaxMs) await fireRefresh(session, time, "refresh_failed");
    assert.equal(time.pending, 1, "a retry is still scheduled");
    assert.equal(session.status().lost, false);
    endpoint.mode = "ok";
    await fireRefresh(session, time, "refreshed");
    assert.equal(session.status().refresh_failures, 0);
    session.close();
  });

  it("treats an unreachable auth-service as transient", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const time = new FakeTime();
    const session = new AgentSession({
      tokenEndpoint: `http://127.0.0.1:${port}/oauth2/token`, clientId: CLIENT_ID, tokens: endpoint.issue(), policy, clock: time.clock, timers: time.timers,
    });
    const original = await session.getAccessToken();
    await fireRefresh(session, time, "refresh_failed");
    await fireRefresh(session, time, "refresh_failed");
    assert.equal(await session.getAccessToken(), original);
    assert.equal(session.status().refresh_failures, 2);
    assert.equal(session.status().lost, false);
    session.close();
  });

  it("invalid_grant ends in lost, reported once, with no refresh loop", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    const original = await session.getAccessToken();
    endpoint.mode = "invalid_grant";
    const lost: string[] = [];
    session.on("lost", (e) => lost.push(e.error.code));
    await fireRefresh(session, time, "lost");
    const afterLoss = endpoint.refreshCount;
    assert.equal(time.pending, 0, "nothing is scheduled after the loss");
    time.advance(48 * 3600_000);
    for (let i = 0; i < 50; i += 1) assert.equal(await session.getAccessToken(), original);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(endpoint.refreshCount, afterLoss, "no refresh after the loss");
    assert.deepEqual(lost, ["ERR_TOKEN_ENDPOINT"]);
    assert.equal(session.status().lost, true);
    endpoint.mode = "ok";
    session.setTokens(endpoint.issue());
    assert.equal(session.status().lost, false);
    assert.equal(time.pending, 1, "a pushed pair is refreshed again");
    session.close();
  });
});

describe("AgentSession setTokens and fetch", () => {
  let endpoint: RecordingTokenEndpoint;
  before(async () => {
    endpoint = await new RecordingTokenEndpoint("sess-2").start();
  });
  after(() => endpoint.close());

  it("a pushed pair replaces the tokens at once and discards a refresh in flight", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    let release!: () => void;
    endpoint.gate = new Promise((r) => (release = r));
    time.fireNext();
    await new Promise((r) => setTimeout(r, 50));
    const pushed = { access_token: "pushed-at", refresh_token: "gtr_pushed", expires_in: 600, session_id: "sess-new" };
    const events: string[] = [];
    session.on("tokens", (e) => events.push(`${e.reason}:${e.sessionId}`));
    session.setTokens(pushed);
    assert.equal(await session.getAccessToken(), "pushed-at");
    release();
    endpoint.gate = null;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await session.getAccessToken(), "pushed-at", "the old session's refresh result is discarded");
    assert.deepEqual(events, ["push:sess-new"]);
    assert.equal(session.status().session_id, "sess-new");
    const next = time.nextAt()! - time.now;
    assert.ok(next >= refreshDelayMs(600, policy, () => 1) && next <= refreshDelayMs(600, policy, () => 0), "scheduled from the pushed expires_in");
    const presented = endpoint.refreshCount;
    await fireRefresh(session, time, "refreshed");
    assert.equal(endpoint.requests[presented]?.refreshToken, "gtr_pushed");
    session.close();
  });

  it("rejects a malformed pushed pair and keeps the current one", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    const current = await session.getAccessToken();
    assert.throws(() => session.setTokens({ access_token: "", refresh_token: "x", expires_in: 1, session_id: "s" }), { code: "ERR_INVALID_TOKEN_PAIR" });
    assert.equal(await session.getAccessToken(), current);
    session.close();
  });

  it("fetch refreshes once and retries once on a 401 carrying the token it used", async () => {
    const seen: string[] = [];
    let rejectAll = false;
    const server = createServer((req, res) => {
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      seen.push(token);
      res.statusCode = rejectAll || token === first ? 401 : 200;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    const first = await session.getAccessToken();
    const before = endpoint.refreshCount;
    const ok = await session.fetch(url, { method: "POST", body: "{}" });
    assert.equal(ok.status, 200);
    assert.equal(endpoint.refreshCount - before, 1);
    assert.equal(seen.length, 2);
    assert.equal(seen[0], first);
    assert.equal(seen[1], await session.getAccessToken());

    rejectAll = true;
    time.advance(policy.minRefreshIntervalMs);
    const denied = await session.fetch(url, { method: "POST", body: "{}" });
    assert.equal(denied.status, 401, "a second 401 is returned, not looped on");
    assert.equal(endpoint.refreshCount - before, 2);
    assert.equal(seen.length, 4);
    session.close();
    server.close();
  });

  it("close stops refreshing and refuses further use", async () => {
    const time = new FakeTime();
    const session = newSession(endpoint, time);
    session.close();
    assert.equal(time.pending, 0);
    await assert.rejects(session.getAccessToken(), { code: "ERR_SESSION_CLOSED" });
  });
});
