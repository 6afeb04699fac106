import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPolicy, POLICY_DEFAULTS, PolicyConfigError } from "../src/index.js";

test("defaults match DESIGN.md's policy table", () => {
  const policy = loadPolicy({});
  assert.equal(policy.accessTokenTtl, 3600);
  assert.equal(policy.refreshIdleTtl, 86_400);
  assert.equal(policy.sessionMaxTtl, 30 * 86_400);
  assert.equal(policy.refreshGrace, 30);
  assert.equal(policy.clockTolerance, 15);
  assert.equal(policy.refreshAheadFraction, 0.8);
  assert.equal(policy.refreshJitterFraction, 0.1);
  assert.equal(policy.retryMinMs, 1000);
  assert.equal(policy.retryMaxMs, 60_000);
  assert.equal(policy.issuer, "http://127.0.0.1:4000");
  assert.equal(policy.audience, "gastown-worker-api");
  assert.deepEqual([...policy.algorithms], ["ES256", "EdDSA"]);
  assert.ok(Object.isFrozen(policy));
});

test("GASTOWN_* overrides take any positive whole number of seconds", () => {
  const policy = loadPolicy({
    GASTOWN_ACCESS_TOKEN_TTL: "2",
    GASTOWN_REFRESH_IDLE_TTL: "5",
    GASTOWN_SESSION_MAX_TTL: "9",
    GASTOWN_REFRESH_GRACE: "1",
    GASTOWN_CLOCK_TOLERANCE: "3",
    AUTH_ISSUER: "https://auth.example.test/",
    AUTH_AUDIENCE: "aud-x",
  });
  assert.deepEqual(
    [policy.accessTokenTtl, policy.refreshIdleTtl, policy.sessionMaxTtl, policy.refreshGrace, policy.clockTolerance],
    [2, 5, 9, 1, 3],
  );
  assert.equal(policy.issuer, "https://auth.example.test", "trailing slash dropped");
  assert.equal(policy.audience, "aud-x");
  assert.equal(loadPolicy({ GASTOWN_ACCESS_TOKEN_TTL: "" }).accessTokenTtl, POLICY_DEFAULTS.accessTokenTtl);
});

for (const bad of ["0", "-5", "1.5", "abc", "1e3", "3600s", " ", "99999999999"]) {
  test(`GASTOWN_ACCESS_TOKEN_TTL=${JSON.stringify(bad)} is a clear startup error`, () => {
    assert.throws(
      () => loadPolicy({ GASTOWN_ACCESS_TOKEN_TTL: bad }),
      (error: unknown) =>
        error instanceof PolicyConfigError && error.code === "ERR_POLICY_CONFIG" && error.message.includes("GASTOWN_ACCESS_TOKEN_TTL"),
    );
  });
}

test("AUTH_ISSUER must be an http(s) URL", () => {
  assert.throws(() => loadPolicy({ AUTH_ISSUER: "not a url" }), PolicyConfigError);
  assert.throws(() => loadPolicy({ AUTH_ISSUER: "ftp://x" }), PolicyConfigError);
});

test("explicit overrides win over the environment", () => {
  assert.equal(loadPolicy({ GASTOWN_REFRESH_GRACE: "7" }, { refreshGrace: 2 }).refreshGrace, 2);
});
