import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadPolicy } from "@gastown/token-policy";
import { absoluteRenewAtMs, idleRenewAtMs, loadWorkerSettings, renewalMarginMs, WorkerConfigError } from "../src/index.js";

const STRONG = { secret: "wk-Q9vX2mL7pR4tK8nB3cJ6hF1dS5gA0zY", operator: "op-Z8yW3qE6rT9uI2oP5aS7dF4gH1jK0xC", control: "ct-M4nB7vC2xZ9lK6jH3gF8dS1aQ5wE0rT" };
const FULL = { WORKER_CLIENT_ID: "w", WORKER_CLIENT_SECRET: STRONG.secret, WORKER_OPERATOR_TOKEN: STRONG.operator, CONTAINER_CONTROL_TOKEN: STRONG.control, REDIS_URL: "redis://127.0.0.1:6379/2" };

describe("settings", () => {
  test("development defaults, only with NODE_ENV=development", () => {
    const settings = loadWorkerSettings({ NODE_ENV: "development" });
    assert.equal(settings.port, 4100);
    assert.equal(settings.host, "127.0.0.1");
    assert.equal(settings.authUrl, "http://127.0.0.1:4000");
    assert.equal(settings.containerUrl, "http://127.0.0.1:4200");
    assert.equal(settings.clientId, "worker");
    assert.equal(settings.clientSecret, "dev-worker-secret");
    assert.match(settings.operatorToken, /^[A-Za-z0-9_-]{43}$/, "generated");
    assert.match(settings.containerControlToken, /^[A-Za-z0-9_-]{43}$/, "generated");
    assert.notEqual(settings.containerControlToken, loadWorkerSettings({ NODE_ENV: "development" }).containerControlToken);
    assert.equal(settings.redis, null);
    assert.equal(settings.prefix, "gt:");
    assert.equal(settings.logLevel, "info");
    assert.deepEqual([...settings.developmentDefaults], ["WORKER_CLIENT_ID", "WORKER_CLIENT_SECRET", "WORKER_OPERATOR_TOKEN", "CONTAINER_CONTROL_TOKEN", "REDIS_URL"]);
  });

  for (const nodeEnv of [undefined, "production", "staging"]) {
    test(`NODE_ENV=${nodeEnv ?? "(unset)"} refuses every development default, naming them all in one message`, () => {
      assert.throws(
        () => loadWorkerSettings(nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv }),
        (error: unknown) =>
          error instanceof WorkerConfigError &&
          error.code === "ERR_WORKER_CONFIG" &&
          /missing setting\(s\): WORKER_CLIENT_ID, WORKER_CLIENT_SECRET, WORKER_OPERATOR_TOKEN, CONTAINER_CONTROL_TOKEN, REDIS_URL$/.test(error.message),
      );
    });
  }

  test("outside development every secret must be strong and not a published example", () => {
    assert.equal(loadWorkerSettings({ ...FULL, WORKER_PORT: "5100" }).port, 5100);
    const weak = { WORKER_CLIENT_SECRET: "change-me", WORKER_OPERATOR_TOKEN: "x", CONTAINER_CONTROL_TOKEN: "dev-worker-secret-dev-worker-secret" };
    assert.throws(
      () => loadWorkerSettings({ ...FULL, ...weak }),
      (error: unknown) =>
        error instanceof WorkerConfigError &&
        /WORKER_CLIENT_SECRET must be at least 32/.test(error.message) &&
        /WORKER_OPERATOR_TOKEN must be at least 32/.test(error.message) &&
        /CONTAINER_CONTROL_TOKEN is a published example/.test(error.message) &&
        !error.message.includes("change-me"),
    );
  });

  test("bad values are refused", () => {
    assert.throws(() => loadWorkerSettings({ ...FULL, WORKER_PORT: "http" }), WorkerConfigError);
    assert.throws(() => loadWorkerSettings({ ...FULL, CONTAINER_URL: "ftp://x" }), WorkerConfigError);
    assert.throws(() => loadWorkerSettings({ ...FULL, WORKER_HOST: "not a host" }), /WORKER_HOST/);
    assert.throws(() => loadWorkerSettings({ ...FULL, LOG_LEVEL: "loud" }), /LOG_LEVEL/);
  });

  test("WORKER_HOST, LOG_LEVEL and the URLs of the other services come from the settings", () => {
    const settings = loadWorkerSettings({ ...FULL, WORKER_HOST: "0.0.0.0", LOG_LEVEL: "warn", AUTH_ISSUER: "http://auth.internal:4000/", CONTAINER_URL: "http://container.internal:4200" });
    assert.deepEqual([settings.host, settings.logLevel, settings.authUrl, settings.containerUrl, settings.policy.issuer], ["0.0.0.0", "warn", "http://auth.internal:4000", "http://container.internal:4200", "http://auth.internal:4000"]);
  });
});

describe("renewal schedule (numbers from the policy only)", () => {
  test("defaults: renewed 12 minutes before the 30-day end and before the 24 h idle end", () => {
    const policy = loadPolicy({});
    assert.equal(renewalMarginMs(policy, policy.sessionMaxTtl), 12 * 60 * 1000);
    assert.equal(absoluteRenewAtMs(0, policy), 30 * 86_400_000 - 720_000);
    assert.equal(idleRenewAtMs(1_500, policy), 1_000 + 86_400_000 - 720_000);
  });

  test("never closer to the end than the minimum refresh interval", () => {
    const policy = loadPolicy({}, { accessTokenTtl: 1, sessionMaxTtl: 2 });
    assert.equal(renewalMarginMs(policy, policy.sessionMaxTtl), policy.minRefreshIntervalMs);
  });
});
