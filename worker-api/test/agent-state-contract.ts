import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AgentRecordData, newAgentRecord } from "../src/dispatch/agent-record.js";
import { type AgentClaim, type AgentStateStore, claimOwner, isBusy } from "../src/state/types.js";

/** Two instances' views of one shared store (for the memory store, the same object twice). */
export interface StorePair {
  a: AgentStateStore;
  b: AgentStateStore;
  close(): Promise<void>;
}

const LEASE = 1_000;
const TOWN = "town-1";
const record = (agentId: string, sessionId: string, nowMs: number): AgentRecordData =>
  newAgentRecord({ agent_id: agentId, town_id: TOWN, user_id: "user-1", role: "polecat", rig_id: "rig-1" }, { sessionId, dispatchedAtMs: nowMs }, 4242, nowMs);

async function claimed(store: AgentStateStore, agentId: string, nowMs: number): Promise<AgentClaim> {
  const claim = await store.claim(TOWN, agentId, nowMs, LEASE);
  assert.ok(!isBusy(claim), `${agentId} could be claimed`);
  return claim;
}

/** Starts an agent as the dispatcher does: claim, write its record, release with a due time. */
async function started(store: AgentStateStore, agentId: string, sessionId: string, nowMs: number, dueMs: number): Promise<AgentRecordData> {
  const claim = await claimed(store, agentId, nowMs);
  const data = record(agentId, sessionId, nowMs);
  assert.equal(await store.write(claim, { nowMs, data, mode: { keep: false, nextDueMs: dueMs } }), true);
  await store.indexSession(sessionId, TOWN, agentId, Date.now() + 60_000);
  return data;
}

/**
 * The rules every AgentStateStore keeps (src/state/types.ts), run against the memory store
 * and a real Redis (test/agent-state.test.ts).
 */
export function agentStateContract(kind: string, open: () => Promise<StorePair>): void {
  describe(`agent state store contract (${kind})`, () => {
    const t0 = Date.now();

    it("keeps what is written under a claim and answers it to any instance", async () => {
      const { a, b, close } = await open();
      try {
        const data = await started(a, "p1", "sid-1", t0, t0 + 5_000);
        assert.deepEqual((await b.read(TOWN, "p1"))?.data, data);
        assert.equal((await b.read(TOWN, "p1"))?.pendingRevocation, null);
        assert.equal(await b.read(TOWN, "nobody"), undefined);
        assert.equal(await b.nextDueMs(), t0 + 5_000);
      } finally {
        await close();
      }
    });

    it("claimDue: only agents whose due time has come, each to one instance only", async () => {
      const { a, b, close } = await open();
      try {
        await started(a, "p1", "sid-1", t0, t0 + 100);
        await started(a, "p2", "sid-2", t0, t0 + 200);
        await started(a, "p3", "sid-3", t0, t0 + 10_000);
        assert.deepEqual(await b.claimDue(t0 + 50, LEASE, 10), []);
        const answers = await Promise.all([a.claimDue(t0 + 300, LEASE, 10), b.claimDue(t0 + 300, LEASE, 10), a.claimDue(t0 + 300, LEASE, 10), b.claimDue(t0 + 300, LEASE, 10)]);
        const agents = answers.flat().map((c) => c.agentId).sort();
        assert.deepEqual(agents, ["p1", "p2"], "each due agent claimed exactly once");
        assert.equal(await a.nextDueMs(), t0 + 300 + LEASE, "a claimed agent is due again when its lease ends");
        const limited = await a.claimDue(t0 + 20_000, LEASE, 1);
        assert.equal(limited.length, 1, "the limit holds");
      } finally {
        await close();
      }
    });

    it("a lease that runs out lets another instance take over; the old claim can no longer write", async () => {
      const { a, b, close } = await open();
      try {
        await started(a, "p1", "sid-1", t0, t0);
        const [first] = await a.claimDue(t0, LEASE, 10);
        assert.ok(first);
        assert.deepEqual(await b.claimDue(t0 + LEASE - 1, LEASE, 10), [], "not before the lease ends");
        assert.ok(isBusy(await b.claim(TOWN, "p1", t0 + LEASE - 1, LEASE)), "an operator claim waits for a live lease");
        const [second] = await b.claimDue(t0 + LEASE, LEASE, 10);
        assert.ok(second, "taken over when the lease ended");
        assert.notEqual(second.claimId, first.claimId);
        const stale = record("p1", "sid-stale", t0);
        assert.equal(await a.write(first, { nowMs: t0 + LEASE, data: stale, mode: { keep: false, nextDueMs: t0 } }), false, "fenced");
        assert.equal((await b.read(TOWN, "p1"))?.data.session.sessionId, "sid-1");
        assert.equal(await b.write(second, { nowMs: t0 + LEASE, mode: { keep: false, nextDueMs: t0 + 9_000 } }), true);
        assert.equal(await a.nextDueMs(), t0 + 9_000);
      } finally {
        await close();
      }
    });

    it("keep renews the lease; release without a due time takes the agent out of the due set", async () => {
      const { a, b, close } = await open();
      try {
        await started(a, "p1", "sid-1", t0, t0 + 60_000);
        const claim = await claimed(b, "p1", t0);
        assert.equal(await b.write(claim, { nowMs: t0 + 900, mode: { keep: true, leaseMs: LEASE } }), true);
        assert.deepEqual(await a.claimDue(t0 + 1_500, LEASE, 10), [], "the renewed lease still holds");
        const busy = await a.claim(TOWN, "p1", t0 + 1_500, LEASE);
        assert.ok(isBusy(busy) && busy.retryInMs === 400, "busy for the rest of the lease");
        const stopped = { ...record("p1", "sid-1", t0), state: "stopped" as const, stopReason: "operator" };
        assert.equal(await b.write(claim, { nowMs: t0 + 1_600, data: stopped, mode: { keep: false, nextDueMs: null } }), true);
        assert.equal(await a.nextDueMs(), undefined);
        assert.deepEqual(await a.claimDue(t0 + 1e9, LEASE, 10), []);
        assert.equal((await a.read(TOWN, "p1"))?.data.state, "stopped");
        assert.equal(claimOwner(claim.claimId).length > 0, true);
      } finally {
        await close();
      }
    });

    it("markRevoked: the current session of a running agent only; due at once, or right after the holder releases it", async () => {
      const { a, b, close } = await open();
      try {
        await started(a, "p1", "sid-1", t0, t0 + 60_000);
        assert.equal(await b.markRevoked("sid-unknown", "admin", t0), false);
        assert.equal(await b.markRevoked("sid-1", "admin", t0 + 10), true);
        assert.equal(await a.markRevoked("sid-1", "admin", t0 + 10), true, "idempotent: every instance may record it");
        assert.deepEqual((await a.read(TOWN, "p1"))?.pendingRevocation, { sessionId: "sid-1", reason: "admin" });
        assert.equal(await a.nextDueMs(), t0 + 10);
        const claims = [...(await a.claimDue(t0 + 20, LEASE, 10)), ...(await b.claimDue(t0 + 20, LEASE, 10))];
        assert.equal(claims.length, 1, "exactly one instance acts on it");
        assert.equal(await a.markRevoked("sid-1", "admin", t0 + 30), true, "a repeated message while held");
        assert.equal(await a.nextDueMs(), t0 + 20 + LEASE, "it does not break the live lease");
        // Not acted on yet (say the holder was busy with something else): due again at release.
        assert.equal(await b.write(claims[0]!, { nowMs: t0 + 40, mode: { keep: false, nextDueMs: t0 + 60_000 } }), true);
        assert.equal(await a.nextDueMs(), t0 + 40);
        const [again] = await b.claimDue(t0 + 50, LEASE, 10);
        assert.ok(again);
        assert.equal(await a.write(again, { nowMs: t0 + 60, handledRevocationOf: "sid-1", mode: { keep: false, nextDueMs: t0 + 60_000 } }), true);
        assert.equal((await b.read(TOWN, "p1"))?.pendingRevocation, null, "acted on: cleared");
        assert.equal(await a.nextDueMs(), t0 + 60_000);
      } finally {
        await close();
      }
    });

    it("restore puts back a lost record only when it is absent, due at once; isEmpty tells a store that holds no agent", async () => {
      const { a, b, close } = await open();
      try {
        assert.equal(await b.isEmpty(), true);
        const copy = record("p1", "sid-1", t0);
        assert.equal(await a.restore(copy, t0 + 5), true);
        assert.equal(await b.isEmpty(), false);
        assert.deepEqual((await b.read(TOWN, "p1"))?.data, copy);
        assert.equal(await b.nextDueMs(), t0 + 5);
        assert.equal(await b.restore(record("p1", "sid-stale", t0), t0 + 6), false, "the first copy wins");
        assert.equal((await a.read(TOWN, "p1"))?.data.session.sessionId, "sid-1");
        const [claim] = await b.claimDue(t0 + 10, LEASE, 10);
        assert.equal(claim?.agentId, "p1", "claimable like any agent");
      } finally {
        await close();
      }
    });

    it("markRevoked ignores stopped agents and sessions the agent no longer holds; a stale mark is dropped", async () => {
      const { a, b, close } = await open();
      try {
        await started(a, "p1", "sid-1", t0, t0 + 60_000);
        const claim = await claimed(a, "p1", t0);
        assert.equal(await b.markRevoked("sid-1", "reuse_detected", t0 + 1), true);
        // The holder renewed meanwhile: the agent now holds sid-2.
        await a.indexSession("sid-2", TOWN, "p1", Date.now() + 60_000);
        assert.equal(await a.write(claim, { nowMs: t0 + 2, data: record("p1", "sid-2", t0), mode: { keep: false, nextDueMs: t0 + 60_000 } }), true);
        assert.equal((await b.read(TOWN, "p1"))?.pendingRevocation, null);
        assert.equal(await b.nextDueMs(), t0 + 60_000, "a revocation of the replaced session does not make it due");
        assert.equal(await b.markRevoked("sid-1", "admin", t0 + 3), false);
        const stop = await claimed(b, "p1", t0 + 4);
        await b.write(stop, { nowMs: t0 + 4, data: { ...record("p1", "sid-2", t0), state: "stopped" }, mode: { keep: false, nextDueMs: null } });
        assert.equal(await a.markRevoked("sid-2", "admin", t0 + 5), false, "a stopped agent is not acted on");
      } finally {
        await close();
      }
    });
  });
}
