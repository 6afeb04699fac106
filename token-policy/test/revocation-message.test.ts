import assert from "node:assert/strict";
import { test } from "node:test";
import { isSessionId, latestRevocationUntil, loadPolicy, parseRevocationMessage, type RevocationProblem, revokedEntryProblem } from "../src/index.js";

const policy = loadPolicy({}, { accessTokenTtl: 3600, clockTolerance: 15 });
const NOW = 1_800_000_000;
const SID = "AbCdEfGhIjKlMnOpQrStUv";

test("the session-id shape: 22 base64url characters", () => {
  for (const ok of [SID, "A".repeat(22), "-_0123456789abcdefghij"]) assert.equal(isSessionId(ok), true, ok);
  for (const bad of ["", "s", "A".repeat(21), "A".repeat(23), `${"A".repeat(21)}=`, `${"A".repeat(21)}/`, 22, null]) assert.equal(isSessionId(bad), false, String(bad));
});

test("the latest until: now + access lifetime + tolerance (auth-service's own) + tolerance (its clock ahead of ours)", () => {
  assert.equal(latestRevocationUntil(NOW, policy), NOW + 3600 + 30);
});

test("a genuine message is accepted as it came", () => {
  const until = NOW + 3600 + 15;
  assert.deepEqual(parseRevocationMessage(JSON.stringify({ sid: SID, reason: "reuse_detected", until }), NOW, policy), { ok: true, event: { sid: SID, reason: "reuse_detected", until } });
  // The auth-service's clock ahead of ours by the tolerance still passes; a past until too (it is simply over).
  assert.equal(parseRevocationMessage(JSON.stringify({ sid: SID, reason: "admin", until: NOW + 3630 }), NOW, policy).ok, true);
  assert.equal(parseRevocationMessage(JSON.stringify({ sid: SID, reason: "admin", until: 5 }), NOW, policy).ok, true);
});

test("every other message is refused with the problem named", () => {
  const cases: [string, RevocationProblem][] = [
    ["not json", "malformed"],
    ["null", "malformed"],
    ["[]", "malformed"],
    ['"text"', "malformed"],
    [JSON.stringify({ reason: "admin", until: NOW }), "sid"],
    [JSON.stringify({ sid: "s", reason: "admin", until: NOW }), "sid"],
    [JSON.stringify({ sid: `${SID}x`, reason: "admin", until: NOW }), "sid"],
    [JSON.stringify({ sid: 12, reason: "admin", until: NOW }), "sid"],
    [JSON.stringify({ sid: SID, reason: "nope", until: NOW }), "reason"],
    [JSON.stringify({ sid: SID, until: NOW }), "reason"],
    [JSON.stringify({ sid: "s", reason: "nope", until: NOW }), "reason"],
    [JSON.stringify({ sid: SID, reason: "admin" }), "until"],
    [JSON.stringify({ sid: SID, reason: "admin", until: "1800000000" }), "until"],
    [JSON.stringify({ sid: SID, reason: "admin", until: NOW + 3631 }), "until"],
    [JSON.stringify({ sid: SID, reason: "admin", until: NOW + 0.5 }), "until"],
    [JSON.stringify({ sid: SID, reason: "admin", until: -1 }), "until"],
    [JSON.stringify({ sid: SID, reason: "admin", until: 1e300 }), "until"],
    [`{"sid":"${SID}","reason":"admin","until":Infinity}`, "malformed"],
  ];
  for (const [raw, problem] of cases) assert.deepEqual(parseRevocationMessage(raw, NOW, policy), { ok: false, problem }, raw);
});

test("revoked-set entries get the same sid and until checks", () => {
  const max = latestRevocationUntil(NOW, policy);
  assert.equal(revokedEntryProblem(SID, max, max), undefined);
  assert.equal(revokedEntryProblem(SID, max + 1, max), "until");
  assert.equal(revokedEntryProblem("s-missed-message", NOW, max), "sid");
  assert.equal(revokedEntryProblem(SID, Number.NaN, max), "until");
});
