import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadWorkerSettings, WORKER_TUNING, WorkerConfigError } from "../src/index.js";

const DEV = { NODE_ENV: "development" };

describe("claim settings (WORKER_CLAIM_LEASE_MS, WORKER_CLAIM_POLL_MS)", () => {
  test("defaults, values passed to startWorkerApi, bad values refused", () => {
    const defaults = loadWorkerSettings(DEV);
    assert.deepEqual([defaults.claimLeaseMs, defaults.claimPollMs], [WORKER_TUNING.claimLeaseMs, WORKER_TUNING.claimPollMs]);
    const options = loadWorkerSettings({ ...DEV, WORKER_CLAIM_LEASE_MS: "1500", WORKER_CLAIM_POLL_MS: "100" });
    assert.deepEqual([options.claimLeaseMs, options.claimPollMs], [1500, 100]);
    for (const bad of [{ WORKER_CLAIM_LEASE_MS: "10" }, { WORKER_CLAIM_LEASE_MS: "1.5" }, { WORKER_CLAIM_LEASE_MS: "ten" }, { WORKER_CLAIM_POLL_MS: "0" }, { WORKER_CLAIM_POLL_MS: "-5" }]) {
      assert.throws(() => loadWorkerSettings({ ...DEV, ...bad }), WorkerConfigError, JSON.stringify(bad));
    }
  });
});
