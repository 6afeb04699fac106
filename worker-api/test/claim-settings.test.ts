import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadWorkerSettings, WORKER_DEFAULTS, WorkerConfigError, workerApiOptions } from "../src/index.js";

describe("claim settings (WORKER_CLAIM_LEASE_MS, WORKER_CLAIM_POLL_MS)", () => {
  test("defaults, values passed to startWorkerApi, bad values refused", () => {
    const defaults = loadWorkerSettings({});
    assert.deepEqual([defaults.claimLeaseMs, defaults.claimPollMs], [WORKER_DEFAULTS.claimLeaseMs, WORKER_DEFAULTS.claimPollMs]);
    const env = { WORKER_CLAIM_LEASE_MS: "1500", WORKER_CLAIM_POLL_MS: "100" };
    const options = workerApiOptions(loadWorkerSettings(env), env);
    assert.deepEqual([options.claimLeaseMs, options.claimPollMs], [1500, 100]);
    for (const bad of [{ WORKER_CLAIM_LEASE_MS: "10" }, { WORKER_CLAIM_LEASE_MS: "1.5" }, { WORKER_CLAIM_LEASE_MS: "ten" }, { WORKER_CLAIM_POLL_MS: "0" }, { WORKER_CLAIM_POLL_MS: "-5" }]) {
      assert.throws(() => loadWorkerSettings(bad), WorkerConfigError, JSON.stringify(bad));
    }
  });
});
