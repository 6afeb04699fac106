import assert from "node:assert/strict";
import { test } from "node:test";
import { endThresholds, isPastSessionEnd, lastLiveMs, loadPolicy, refreshDeadlines, retainedUntil, sessionRetentionLimitMs, unixSeconds, withinGrace } from "../src/index.js";

const policy = loadPolicy({}, { accessTokenTtl: 60, refreshIdleTtl: 120, sessionMaxTtl: 600, refreshGrace: 5, clockTolerance: 3 });

/** The rule as DESIGN.md states it, in milliseconds: idle end strictly past, absolute end at or after. */
function pastEndByMs(ends: { idleExpiresAt: number; expiresAt: number }, nowMs: number): boolean {
  return nowMs > ends.idleExpiresAt * 1000 || nowMs >= ends.expiresAt * 1000;
}

test("end thresholds say exactly what the millisecond rule says, around each second", () => {
  for (const nowMs of [4_999, 5_000, 5_001, 5_999, 6_000, 6_001]) {
    for (const idleExpiresAt of [4, 5, 6, 7]) {
      for (const expiresAt of [4, 5, 6, 7]) {
        const ends = { idleExpiresAt, expiresAt };
        assert.equal(isPastSessionEnd(ends, endThresholds(nowMs)), pastEndByMs(ends, nowMs), `${JSON.stringify(ends)} at ${nowMs}`);
        assert.equal(nowMs <= lastLiveMs(ends), !pastEndByMs(ends, nowMs), `last live ms of ${JSON.stringify(ends)} at ${nowMs}`);
      }
    }
  }
});

test("refresh deadlines: whole seconds rounded down, ends before the cap, grace start, retention", () => {
  const d = refreshDeadlines(10_999, policy);
  assert.equal(unixSeconds(10_999), 10);
  assert.deepEqual(d, { idleEndFrom: 11, absoluteEndFrom: 11, nowMs: 10_999, nowSec: 10, idleEnd: 130, accessExpiry: 70, graceStartMs: 5_999, retention: 3 });
  assert.equal(withinGrace(10_999, 5_999, policy), true);
  assert.equal(withinGrace(10_999, 5_998, policy), false);
});

test("retention: an ended session until its last access token's exp + tolerance; a live one also until its idle end", () => {
  assert.equal(retainedUntil({ active: false, idleExpiresAt: 500, lastAccessExpiresAt: 100 }, policy), 103);
  assert.equal(retainedUntil({ active: true, idleExpiresAt: 500, lastAccessExpiresAt: 100 }, policy), 500);
  assert.equal(retainedUntil({ active: true, idleExpiresAt: 50, lastAccessExpiresAt: 100 }, policy), 103);
  assert.equal(sessionRetentionLimitMs(policy), 603_000);
});
