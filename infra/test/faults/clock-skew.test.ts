import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { MAYOR, polecat } from "../harness/agents.js";
import { activeSession, agentPid, assertEveryCallbackStored, sleep, waitForRotation } from "../harness/checks.js";
import { dispatchAgents, type FaultStack, startFaultStack } from "../harness/fault-stack.js";

// Refresh-ahead point of a 3 s token: 2.1-2.4 s after receipt (counted from expires_in).
const LIFETIMES = { accessTokenTtl: 3, refreshIdleTtl: 120, sessionMaxTtl: 600, refreshGrace: 2, clockTolerance: 3 };
const WINDOW_MS = 9_000;
const TEN_MINUTES = 10 * 60 * 1000;

let faults: FaultStack | undefined;
afterEach(async () => {
  await faults?.close();
  faults = undefined;
});

async function skewedRun(supervisorOffsetMs: number, workerOffsetMs: number): Promise<void> {
  faults = await startFaultStack({ lifetimes: LIFETIMES, supervisorClockOffsetMs: supervisorOffsetMs, workerClockOffsetMs: workerOffsetMs });
  const s = faults.stack;
  await waitFor(() => s.supervisor.lines.some((l) => l.includes(`"offset_ms":${supervisorOffsetMs}`)), 10_000, "the supervisor running with the skewed clock");
  await waitFor(() => s.worker.lines.some((l) => l.includes(`"offset_ms":${workerOffsetMs}`)), 10_000, "the worker-api running with the skewed clock");
  const [mayor] = await dispatchAgents(s, [MAYOR, polecat(1)]);
  const start = await waitForRotation(s, "mayor", 0);
  const polecatStart = (await activeSession(s, "polecat-1"))?.generation ?? 0;
  await sleep(WINDOW_MS);
  const end = await activeSession(s, "mayor");
  const polecatEnd = (await activeSession(s, "polecat-1"))?.generation ?? 0;
  const refreshes = (end?.generation ?? 0) - start.generation;
  // On time: about one refresh every 2.1-2.4 s (4 in the window), neither stalled nor thrashing at the 1 s floor.
  for (const [who, n] of [["mayor", refreshes], ["polecat-1", polecatEnd - polecatStart]] as const) {
    assert.ok(n >= 2 && n <= WINDOW_MS / 1500, `${who}: ${n} refreshes in ${WINDOW_MS / 1000} s`);
  }
  assert.equal(end?.session_id, mayor.sessionId, "the same session throughout");
  assert.ok(!s.supervisor.lines.some((l) => l.includes("refresh failed") || l.includes("session lost")), "no refresh failed");
  assert.equal((await s.view("mayor")).renewals, 0);
  assert.equal(await agentPid(s, "mayor"), mayor.pid);
  // The worker-api, its own clock off by less than the tolerance, accepted every callback.
  await assertEveryCallbackStored(s, ["mayor", "polecat-1"]);
}

describe("clock skew: the supervisor counts from expires_in; the worker-api accepts within its tolerance", () => {
  test("supervisor 10 minutes ahead, worker-api 1.5 s ahead", () => skewedRun(TEN_MINUTES, 1_500));
  test("supervisor 10 minutes behind, worker-api 1.5 s behind", () => skewedRun(-TEN_MINUTES, -1_500));
});
