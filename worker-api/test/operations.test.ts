import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freePort, type RedisServer, randomPrefix, type Scrape, scrape, startRedisServer, waitFor } from "@gastown/testkit";
import { InProcessRevocationBus, revokedSetKey } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { AUTH_OUTCOMES, type RunningWorkerApi, startWorkerApi } from "../src/index.js";
import { bearer, get, heartbeatUrl, post } from "./helpers/http.js";
import { MAYOR, mint, POLECAT, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";
import { NO_CONTAINER } from "./helpers/worker.js";

const common = NO_CONTAINER;

const auth = (s: Scrape, outcome: string) => s.value("gastown_worker_auth_total", { outcome });

describe("worker-api metrics after real requests (in-memory mode)", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  let bus: InProcessRevocationBus;
  const clockMs = Date.now();
  const nowSec = Math.floor(clockMs / 1000);

  before(async () => {
    issuer = await startTestIssuer();
    bus = new InProcessRevocationBus();
    worker = await startWorkerApi({ ...common, authUrl: issuer.url, redisUrl: null, revocationBus: bus, clock: () => clockMs });
  });
  after(async () => {
    await worker.close();
    await issuer.close();
  });

  const own = () => heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1");
  const sign = (claims: Record<string, unknown>, extra: { nowSec?: number; expiresIn?: number } = {}) =>
    mint({ key: issuer.keys[0]!, issuer: issuer.url, claims, nowSec, ...extra });

  test("/healthz and /readyz answer without credentials", async () => {
    const health = await get(`${worker.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: "ok" });
    const ready = await get(`${worker.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: "ok", redis: "memory", keys: "loaded", revocations: "synced" });
  });

  test("every authentication outcome moves its own counter by exactly the expected amount", async () => {
    const before = await scrape(worker.url);
    assert.match(before.contentType ?? "", /^text\/plain/);
    for (const outcome of AUTH_OUTCOMES) assert.ok(Number.isFinite(auth(before, outcome)), `outcome ${outcome} is exported from the start`);

    const good = await sign(POLECAT);
    for (let i = 0; i < 3; i += 1) assert.equal((await post(own(), { i }, bearer(good))).status, 202);
    assert.equal((await post(own(), {})).status, 401); // missing
    assert.equal((await post(own(), {}, "Basic dXNlcjpwYXNz")).status, 401); // missing (another scheme)
    assert.equal((await post(own(), {}, "Bearer not a token")).status, 401); // invalid (malformed header)
    assert.equal((await post(own(), {}, bearer("eyJhbGciOiJub25lIn0.e30."))).status, 401); // invalid (alg none)
    const stale = await sign(POLECAT, { nowSec: nowSec - 3600, expiresIn: 60 });
    assert.equal((await post(own(), {}, bearer(stale))).status, 401); // expired
    assert.equal((await post(heartbeatUrl(worker.url, "town-2", "rig-1", "polecat-1"), {}, bearer(good))).status, 403); // forbidden
    const noMayorScope = await sign({ ...MAYOR, scope: "agent" });
    assert.equal((await post(`${worker.url}/api/mayor/town-1/tools/list_rigs`, {}, bearer(noMayorScope))).status, 403); // insufficient_scope
    const sid = "sMetricsRevoked0123456"; // a session id (issue 14: verification requires the shape)
    const doomed = await sign({ ...POLECAT, sid });
    assert.equal((await post(own(), {}, bearer(doomed))).status, 202); // ok
    bus.publish({ sid, reason: "admin", until: nowSec + 600 });
    assert.equal((await post(own(), {}, bearer(doomed))).status, 401); // revoked

    const after = await scrape(worker.url);
    const moved = Object.fromEntries(AUTH_OUTCOMES.map((o) => [o, auth(after, o) - auth(before, o)]));
    assert.deepEqual(moved, { ok: 4, missing: 2, invalid: 2, expired: 1, revoked: 1, forbidden: 1, insufficient_scope: 1, unavailable: 0 });

    // Cache: good (1 miss, 2 hits, then 1 hit for the forbidden call), stale/noMayorScope/alg-none (misses), doomed (1 miss, 1 hit).
    const hits = after.value("gastown_worker_verify_cache_hits_total") - before.value("gastown_worker_verify_cache_hits_total");
    const misses = after.value("gastown_worker_verify_cache_misses_total") - before.value("gastown_worker_verify_cache_misses_total");
    assert.equal(hits, 4);
    assert.equal(misses, 5);
    const totalHits = after.value("gastown_worker_verify_cache_hits_total");
    const totalMisses = after.value("gastown_worker_verify_cache_misses_total");
    assert.equal(after.value("gastown_worker_verify_cache_hit_ratio"), totalHits / (totalHits + totalMisses));
    assert.equal(after.value("gastown_worker_verify_cache_entries"), worker.verifyCache.size);

    assert.equal(after.value("gastown_worker_revoked_sessions") - before.value("gastown_worker_revoked_sessions"), 1);
    assert.equal(after.value("gastown_worker_revocations_applied_total", { via: "message" }) - before.value("gastown_worker_revocations_applied_total", { via: "message" }), 1);
    assert.equal(after.value("gastown_worker_revocation_sync_lag_seconds"), 0, "the in-process bus delivers synchronously");

    for (const secret of [good, doomed, stale, sid, "polecat-1"]) assert.ok(!after.text.includes(secret), "metrics never carry a token or an id");
    assert.ok(after.value("process_cpu_user_seconds_total", { service: "worker-api" }) >= 0, "standard process metrics, labelled with the service");
  });

  test("two workers in one process keep separate registries", async () => {
    const other = await startWorkerApi({ ...common, authUrl: issuer.url, redisUrl: null, revocationBus: bus, clock: () => clockMs });
    try {
      const good = await sign(POLECAT);
      const before = auth(await scrape(worker.url), "ok");
      assert.equal((await post(heartbeatUrl(other.url, "town-1", "rig-1", "polecat-1"), {}, bearer(good))).status, 202);
      assert.equal(auth(await scrape(other.url), "ok"), 1);
      assert.equal(auth(await scrape(worker.url), "ok"), before);
    } finally {
      await other.close();
    }
  });
});

describe("worker-api /readyz without verification keys", () => {
  test("answers 503 naming the keys while the JWKS cannot be fetched", async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const worker = await startWorkerApi({ ...common, authUrl: nowhere, redisUrl: null, revocationBus: new InProcessRevocationBus() });
    try {
      const ready = await get(`${worker.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body, { status: "unavailable", redis: "memory", keys: "missing", revocations: "synced" });
      assert.equal((await get(`${worker.url}/healthz`)).status, 200, "alive all the same");
    } finally {
      await worker.close();
    }
  });
});

describe("worker-api readiness and revocation sync with a Redis that stops", () => {
  let server: RedisServer;
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  const prefix = randomPrefix("wops");

  before(async () => {
    server = await startRedisServer();
    issuer = await startTestIssuer();
    worker = await startWorkerApi({ ...common, authUrl: issuer.url, redisUrl: server.url, prefix, revocationResyncIntervalMs: 200 });
  });
  after(async () => {
    await worker.close();
    await issuer.close();
    await server.kill(true);
  });

  const ready = () => get(`${worker.url}/readyz`);
  const lag = async () => (await scrape(worker.url)).value("gastown_worker_revocation_sync_lag_seconds");

  test("a revocation only the resync saw counts as via=resync and is held", async () => {
    const admin = new Redis(server.url);
    try {
      const before = await scrape(worker.url);
      // Written to the sorted set without a pub/sub message: as if the message were lost.
      // (Issue 14: entries must have the session-id shape, 22 base64url characters.)
      const missed = "sMissedMessage00000000";
      await admin.zadd(revokedSetKey(prefix), Math.floor(Date.now() / 1000) + 600, missed);
      await waitFor(() => worker.revocations.isRevoked(missed), 10_000, "resync picks it up");
      const after = await scrape(worker.url);
      assert.equal(after.value("gastown_worker_revocations_applied_total", { via: "resync" }) - before.value("gastown_worker_revocations_applied_total", { via: "resync" }), 1);
      assert.equal(after.value("gastown_worker_revocations_applied_total", { via: "message" }), before.value("gastown_worker_revocations_applied_total", { via: "message" }));
      assert.equal(after.value("gastown_worker_revoked_sessions"), 1);
    } finally {
      admin.disconnect();
    }
  });

  test("/readyz goes 503 while Redis is stopped and back to 200; the sync lag grows and recovers", async () => {
    assert.equal((await ready()).status, 200);
    assert.deepEqual((await ready()).body, { status: "ok", redis: "up", keys: "loaded", revocations: "synced" });
    await waitFor(async () => (await lag()) < 5, 10_000, "a fresh resync");

    await server.kill();
    const down = await waitFor(async () => {
      const answer = await ready();
      return answer.status === 503 ? answer : undefined;
    }, 15_000, "/readyz 503");
    // Issue 14: readiness also says whether the revoked set is confirmed (within 5 s of the stop it still is).
    assert.deepEqual(down.body, { status: "unavailable", redis: "down", keys: "loaded", revocations: "synced" });
    assert.equal((await get(`${worker.url}/healthz`)).status, 200, "alive while not ready");
    const stale = await waitFor(async () => {
      const seconds = await lag();
      return seconds >= 2 ? seconds : undefined;
    }, 15_000, "sync lag growing while Redis is down");
    assert.ok(stale >= 2);

    await server.restart();
    await waitFor(async () => (await ready()).status === 200, 15_000, "/readyz back to 200");
    const fresh = await waitFor(async () => {
      const seconds = await lag();
      return seconds < stale ? seconds + 1 : undefined; // +1: a lag of 0 is a valid answer
    }, 15_000, "sync lag recovering");
    assert.ok(fresh - 1 < stale);
  });
});
