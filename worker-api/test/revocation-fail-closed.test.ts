import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { deleteKeys, randomPrefix, scrape, testRedisUrl, waitFor } from "@gastown/testkit";
import { revocationChannel, revokedSetKey } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { loadWorkerSettings, type RunningWorkerApi, startWorkerApi, WORKER_TUNING, WorkerConfigError } from "../src/index.js";
import { bearer, get, heartbeatUrl, post } from "./helpers/http.js";
import { mint, POLECAT, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";
import { type RedisProxy, startRedisProxy } from "./helpers/redis-proxy.js";
import { NO_CONTAINER } from "./helpers/worker.js";

// Issue 14: when the revoked set cannot be confirmed complete for longer than
// WORKER_REVOCATION_MAX_STALENESS, agent tokens get 503 + Retry-After instead of being
// accepted while possibly revoked; the worker recovers by itself when Redis answers.
// The worker reaches a real Redis through a proxy that the test cuts; its clock is injected,
// so "longer than the bound" is a clock step, not a sleep.
const MAX_STALENESS_MS = 3_000;

describe("revocation sync fails closed", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  let proxy: RedisProxy;
  let admin: Redis;
  const prefix = randomPrefix("failclosed");
  let clockMs = Date.now();
  const nowSec = () => Math.floor(clockMs / 1000);

  before(async () => {
    const redisUrl = await testRedisUrl();
    admin = new Redis(redisUrl);
    proxy = await startRedisProxy(redisUrl);
    issuer = await startTestIssuer();
    worker = await startWorkerApi({
      ...NO_CONTAINER,
      authUrl: issuer.url,
      redisUrl: proxy.url,
      prefix,
      clock: () => clockMs,
      revocationResyncIntervalMs: 100,
      revocationMaxStalenessMs: MAX_STALENESS_MS,
    });
  });
  after(async () => {
    proxy.restore();
    await worker.close();
    await issuer.close();
    await proxy.close();
    await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  const url = () => heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1");
  const tokenOf = (sid: string) => mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: { ...POLECAT, sid }, nowSec: nowSec(), expiresIn: 3600 });
  const lag = async () => (await scrape(worker.url)).value("gastown_worker_revocation_sync_lag_seconds");
  /** A resync that started at the current (injected) time has succeeded. */
  const freshResync = () => waitFor(async () => (await lag()) < 1, 10_000, "a successful resync at the current clock");

  test("the setting: WORKER_REVOCATION_MAX_STALENESS, whole seconds, default a few seconds", () => {
    assert.equal(loadWorkerSettings({ NODE_ENV: "development" }).revocationMaxStalenessMs, WORKER_TUNING.revocationMaxStalenessMs);
    assert.equal(WORKER_TUNING.revocationMaxStalenessMs, 5_000);
    assert.equal(loadWorkerSettings({ NODE_ENV: "development", WORKER_REVOCATION_MAX_STALENESS: "3" }).revocationMaxStalenessMs, 3_000);
    for (const bad of ["0", "-1", "1.5", "soon"]) assert.throws(() => loadWorkerSettings({ NODE_ENV: "development", WORKER_REVOCATION_MAX_STALENESS: bad }), WorkerConfigError, bad);
  });

  test("while the set is confirmed, a live token is accepted and /readyz says synced", async () => {
    await freshResync();
    assert.equal((await post(url(), {}, bearer(await tokenOf(randomBytes(16).toString("base64url"))))).status, 202);
    const ready = await get(`${worker.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.revocations, "synced");
  });

  test("Redis unreachable past the bound: a revocation the worker cannot see is refused with 503, not accepted; recovery is automatic", async () => {
    const live = randomBytes(16).toString("base64url");
    const revoked = randomBytes(16).toString("base64url");
    const liveToken = await tokenOf(live);
    const revokedToken = await tokenOf(revoked);
    await freshResync();
    // Both tokens verified once (cached): the cache must not let them past the gate later.
    assert.equal((await post(url(), {}, bearer(liveToken))).status, 202);
    assert.equal((await post(url(), {}, bearer(revokedToken))).status, 202);

    proxy.cut();
    // The auth-service revokes meanwhile (set + message); the worker sees neither.
    await admin.zadd(revokedSetKey(prefix), nowSec() + 600, revoked);
    await admin.publish(revocationChannel(prefix), JSON.stringify({ sid: revoked, reason: "admin", until: nowSec() + 600 }));
    // Within the bound authentication still passes (a short blip refuses no one); the
    // record itself cannot be written to the cut Redis, which answers 503 to retry...
    clockMs += MAX_STALENESS_MS - 1_000;
    const okBefore = (await scrape(worker.url)).value("gastown_worker_auth_total", { outcome: "ok" });
    const duringBlip = await post(url(), {}, bearer(liveToken));
    assert.equal(duringBlip.status, 503);
    assert.equal(duringBlip.retryAfter, "1");
    assert.equal((await scrape(worker.url)).value("gastown_worker_auth_total", { outcome: "ok" }), okBefore + 1);
    // ...past it, it refuses both rather than accept the revoked one.
    clockMs += 2_000;
    for (const token of [liveToken, revokedToken]) {
      const answer = await post(url(), {}, bearer(token));
      assert.equal(answer.status, 503);
      assert.equal(answer.body.error, "temporarily_unavailable");
      assert.equal(answer.retryAfter, "1");
      assert.equal(answer.challenge, null, "not an authentication failure");
    }
    assert.ok((await lag()) * 1000 > MAX_STALENESS_MS, "the lag metric shows it");
    const down = await get(`${worker.url}/readyz`);
    assert.equal(down.status, 503);
    assert.equal(down.body.revocations, "stale");
    assert.equal((await scrape(worker.url)).value("gastown_worker_auth_total", { outcome: "unavailable" }) >= 2, true);

    proxy.restore();
    await freshResync();
    assert.equal((await post(url(), {}, bearer(liveToken))).status, 202, "recovered by itself");
    const refused = await post(url(), {}, bearer(revokedToken));
    assert.equal(refused.status, 401, "the missed revocation landed with the resync");
    const ready = await get(`${worker.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.revocations, "synced");
  });
});
