import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEVELOPMENT } from "@gastown/testkit";
import { AuthConfigError, loadAuthConfig } from "../src/index.js";

// AUTH_REDIS_WAIT_REPLICAS / AUTH_REDIS_WAIT_TIMEOUT_MS through the SettingsReader: every bad
// value is named at start, with the rest of the problems.
const REDIS = { REDIS_URL: "redis://127.0.0.1:6379" };

describe("AUTH_REDIS_WAIT_REPLICAS and AUTH_REDIS_WAIT_TIMEOUT_MS", () => {
  const accepted: [Record<string, string>, { replicas: number; timeoutMs: number }][] = [
    [{}, { replicas: 0, timeoutMs: 100 }],
    [{ AUTH_REDIS_WAIT_REPLICAS: "0" }, { replicas: 0, timeoutMs: 100 }],
    [{ AUTH_REDIS_WAIT_REPLICAS: " 1 " }, { replicas: 1, timeoutMs: 100 }],
    [{ AUTH_REDIS_WAIT_REPLICAS: "" }, { replicas: 0, timeoutMs: 100 }],
    [{ AUTH_REDIS_WAIT_REPLICAS: "2", AUTH_REDIS_WAIT_TIMEOUT_MS: "250" }, { replicas: 2, timeoutMs: 250 }],
    [{ AUTH_REDIS_WAIT_REPLICAS: "100", AUTH_REDIS_WAIT_TIMEOUT_MS: "1" }, { replicas: 100, timeoutMs: 1 }],
    [{ AUTH_REDIS_WAIT_TIMEOUT_MS: "10000" }, { replicas: 0, timeoutMs: 10_000 }],
  ];
  for (const [env, expected] of accepted) {
    it(`accepts ${JSON.stringify(env)}`, async () => {
      const config = await loadAuthConfig({ env: { ...DEVELOPMENT, ...REDIS, ...env } });
      assert.deepEqual(config.replicaWait, expected);
    });
  }

  const refused: [Record<string, string>, RegExp][] = [
    [{ AUTH_REDIS_WAIT_REPLICAS: "-1" }, /AUTH_REDIS_WAIT_REPLICAS must be a whole number 0-100, got "-1"/],
    [{ AUTH_REDIS_WAIT_REPLICAS: "one" }, /AUTH_REDIS_WAIT_REPLICAS must be a whole number 0-100, got "one"/],
    [{ AUTH_REDIS_WAIT_REPLICAS: "1.5" }, /AUTH_REDIS_WAIT_REPLICAS must be a whole number 0-100/],
    [{ AUTH_REDIS_WAIT_REPLICAS: "101" }, /AUTH_REDIS_WAIT_REPLICAS must be a whole number 0-100/],
    [{ AUTH_REDIS_WAIT_REPLICAS: "1e2" }, /AUTH_REDIS_WAIT_REPLICAS must be a whole number 0-100/],
    [{ AUTH_REDIS_WAIT_TIMEOUT_MS: "0" }, /AUTH_REDIS_WAIT_TIMEOUT_MS must be a whole number 1-10000, got "0"/],
    [{ AUTH_REDIS_WAIT_TIMEOUT_MS: "10001" }, /AUTH_REDIS_WAIT_TIMEOUT_MS must be a whole number 1-10000/],
    [{ AUTH_REDIS_WAIT_TIMEOUT_MS: "100ms" }, /AUTH_REDIS_WAIT_TIMEOUT_MS must be a whole number 1-10000/],
  ];
  for (const [env, message] of refused) {
    it(`refuses ${JSON.stringify(env)} at start`, async () => {
      await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, ...REDIS, ...env } }), (error: Error) => {
        assert.ok(error instanceof AuthConfigError);
        assert.match(error.message, /^auth-service refuses to start/);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it("names both bad values at once", async () => {
    const env = { ...DEVELOPMENT, ...REDIS, AUTH_REDIS_WAIT_REPLICAS: "x", AUTH_REDIS_WAIT_TIMEOUT_MS: "y" };
    await assert.rejects(loadAuthConfig({ env }), /AUTH_REDIS_WAIT_REPLICAS must be .*; AUTH_REDIS_WAIT_TIMEOUT_MS must be /);
  });

  it("refuses a WAIT without Redis: the in-memory store has no replica", async () => {
    await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, AUTH_REDIS_WAIT_REPLICAS: "1" } }), /AUTH_REDIS_WAIT_REPLICAS needs Redis/);
    assert.equal((await loadAuthConfig({ env: { ...DEVELOPMENT, AUTH_REDIS_WAIT_REPLICAS: "0" } })).replicaWait.replicas, 0);
  });
});
