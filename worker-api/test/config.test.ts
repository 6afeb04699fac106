import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { absoluteRenewAtMs, idleRenewAtMs, loadWorkerSettings, renewalMarginMs, WorkerConfigError, workerApiOptions } from "../src/index.js";
import { loadPolicy } from "@gastown/token-policy";

describe("settings", () => {
  test("development defaults", () => {
    const settings = loadWorkerSettings({ CONTAINER_CONTROL_TOKEN: "c" });
    assert.equal(settings.port, 4100);
    assert.equal(settings.authUrl, "http://127.0.0.1:4000");
    assert.equal(settings.containerUrl, "http://127.0.0.1:4200");
    assert.equal(settings.clientId, "worker");
    assert.equal(settings.clientSecret, "dev-worker-secret");
    assert.equal(settings.operatorToken, undefined);
    assert.equal(settings.redisUrl, null);
    assert.equal(settings.prefix, "gt:");
  });

  test("production refuses every development default and names them", () => {
    assert.throws(
      () => loadWorkerSettings({ NODE_ENV: "production" }),
      (error: unknown) =>
        error instanceof WorkerConfigError &&
        error.code === "ERR_WORKER_CONFIG" &&
        ["WORKER_CLIENT_ID", "WORKER_CLIENT_SECRET", "WORKER_OPERATOR_TOKEN", "CONTAINER_CONTROL_TOKEN", "REDIS_URL"].every((name) => error.message.includes(name)),
    );
    const full = {
      NODE_ENV: "production",
      WORKER_CLIENT_ID: "w",
      WORKER_CLIENT_SECRET: "s",
      WORKER_OPERATOR_TOKEN: "o",
      CONTAINER_CONTROL_TOKEN: "c",
      REDIS_URL: "redis://127.0.0.1:6379/2",
      WORKER_PORT: "5100",
    };
    assert.equal(loadWorkerSettings(full).port, 5100);
  });

  test("bad values are refused", () => {
    assert.throws(() => loadWorkerSettings({ WORKER_PORT: "http" }), WorkerConfigError);
    assert.throws(() => loadWorkerSettings({ CONTAINER_URL: "ftp://x" }), WorkerConfigError);
  });

  test("npm start options: the settings, LOG_LEVEL, a random control token only when none is set", () => {
    const env = { WORKER_PORT: "4111", CONTAINER_CONTROL_TOKEN: "c", WORKER_OPERATOR_TOKEN: "op", REDIS_URL: "redis://127.0.0.1:1", LOG_LEVEL: "warn" };
    const options = workerApiOptions(loadWorkerSettings(env), env);
    assert.deepEqual(
      [options.port, options.containerControlToken, options.operatorToken, options.redisUrl, options.logLevel, options.env],
      [4111, "c", "op", "redis://127.0.0.1:1", "warn", env],
    );
    const dev = workerApiOptions(loadWorkerSettings({}), {});
    assert.match(dev.containerControlToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(dev.containerControlToken, workerApiOptions(loadWorkerSettings({}), {}).containerControlToken);
    assert.equal("operatorToken" in dev, false, "left to startWorkerApi to generate");
    assert.equal(dev.logLevel, "info");
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
