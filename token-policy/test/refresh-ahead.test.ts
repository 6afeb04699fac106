import assert from "node:assert/strict";
import { test } from "node:test";
import { accessTokenExpiry, loadPolicy, newSessionTimes, nextIdleExpiry, refreshDelayMs, retryDelayMs, revokedUntil, withinGrace } from "../src/index.js";

const policy = loadPolicy({});

test("refresh ahead: 80 % of the life, brought forward by up to 10 % jitter", () => {
  assert.equal(refreshDelayMs(3600, policy, () => 0), 2_880_000);
  assert.equal(refreshDelayMs(3600, policy, () => 1), 2_520_000);
  for (let i = 0; i < 200; i++) {
    const d = refreshDelayMs(3600, policy);
    assert.ok(d >= 2_520_000 && d <= 2_880_000, String(d));
  }
});

test("refresh ahead never goes below one second, even for expires_in 0", () => {
  assert.equal(refreshDelayMs(0, policy, () => 0), 1000);
  assert.equal(refreshDelayMs(1, policy, () => 0), 1000);
  assert.equal(refreshDelayMs(-5, policy, () => 0.5), 1000);
});

test("retry backoff: full jitter under an exponential ceiling capped at 60 s, floor 1 s", () => {
  assert.equal(retryDelayMs(0, policy, () => 1), 1000);
  assert.equal(retryDelayMs(3, policy, () => 1), 8000);
  assert.equal(retryDelayMs(10, policy, () => 1), 60_000);
  assert.equal(retryDelayMs(100, policy, () => 1), 60_000);
  assert.equal(retryDelayMs(5, policy, () => 0), 1000);
  assert.equal(retryDelayMs(5, policy, () => 0.5), 16_000);
});

test("lifetimes: exp capped at the session end; idle never past the end", () => {
  const times = newSessionTimes(1000, policy);
  assert.deepEqual(times, { createdAt: 1000, idleExpiresAt: 1000 + 86_400, expiresAt: 1000 + 30 * 86_400 });
  assert.equal(accessTokenExpiry(2000, times.expiresAt, policy), 5600);
  assert.equal(accessTokenExpiry(times.expiresAt - 10, times.expiresAt, policy), times.expiresAt);
  assert.equal(nextIdleExpiry(times.expiresAt - 100, times.expiresAt, policy), times.expiresAt);
  assert.equal(revokedUntil(5600, policy), 5615);
});

test("grace window is measured on the server clock, inclusive, without tolerance", () => {
  assert.equal(withinGrace(30_000, 0, policy), true);
  assert.equal(withinGrace(30_001, 0, policy), false);
});
