import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { loadPolicy, type PolicyOverrides, type RevocationEvent, revokedUntil, type TokenPolicy } from "@gastown/token-policy";
import type { NewSession, RotateInput, SessionStore } from "../src/store/index.js";
import { rotationContract } from "./store-contract-rotation.js";

/** One store under test, with a view of the revocations it published. */
export interface StoreHarness {
  store: SessionStore;
  policy: TokenPolicy;
  /** Waits until at least `count` revocation events were published, then answers all of them in order. */
  events(count: number): Promise<RevocationEvent[]>;
  close(): Promise<void>;
}

/** Opens a fresh, empty store (its own key prefix for Redis) with these policy overrides. */
export type HarnessFactory = (policy: TokenPolicy) => Promise<StoreHarness>;

/** A whole second of the real clock: Redis key TTLs are absolute, so injected times start now. */
export function startOfSecond(): number {
  return Math.ceil(Date.now() / 1000) * 1000;
}

export function newSession(nowMs: number, fields: Partial<NewSession> = {}): NewSession {
  return {
    sessionId: `s_${randomBytes(9).toString("base64url")}`,
    agentId: "mayor-1",
    rigId: null,
    townId: "town-1",
    userId: "user-1",
    role: "mayor",
    scope: "agent mayor",
    clientId: "gastown-container",
    nowMs,
    ...fields,
  };
}

export function rotation(sessionId: string, presentedGeneration: number, nowMs: number, fields: Partial<RotateInput> = {}): RotateInput {
  return { sessionId, presentedGeneration, clientId: "gastown-container", requestedScope: null, nowMs, ...fields };
}

type TestContext = { after(fn: () => Promise<void>): void };

/** Opens a fresh store for one test and closes it after. */
export function opener(factory: HarnessFactory): (t: TestContext, overrides?: PolicyOverrides) => Promise<StoreHarness> {
  return async (t, overrides = {}) => {
    const harness = await factory(loadPolicy({}, overrides));
    t.after(() => harness.close());
    return harness;
  };
}

/**
 * Registers the session-store contract (DESIGN.md invariants 1, 2, 3, 6, 7, 8) for one
 * implementation. Both stores must pass it unchanged.
 */
export function storeContract(name: string, factory: HarnessFactory): void {
  const open = opener(factory);

  test(`${name}: create answers generation 0 with times from the policy; get reads it back`, async (t) => {
    const { store, policy } = await open(t);
    const t0 = startOfSecond();
    const input = newSession(t0, { rigId: "rig-1", role: "polecat", scope: "agent" });
    const created = await store.create(input);
    const sec = t0 / 1000;
    assert.equal(created.accessExpiresAt, sec + policy.accessTokenTtl);
    assert.deepEqual(created.session, {
      sessionId: input.sessionId,
      agentId: "mayor-1",
      rigId: "rig-1",
      townId: "town-1",
      userId: "user-1",
      role: "polecat",
      scope: "agent",
      clientId: "gastown-container",
      state: "active",
      revokeReason: null,
      createdAt: sec,
      lastRefreshAt: null,
      generation: 0,
      idleExpiresAt: sec + policy.refreshIdleTtl,
      expiresAt: sec + policy.sessionMaxTtl,
      lastAccessExpiresAt: sec + policy.accessTokenTtl,
    });
    assert.deepEqual(await store.get(input.sessionId, t0 + 1), created.session);
    assert.equal(await store.get("s_unknown", t0), undefined);
    assert.equal(await store.ping(), true);
  });

  test(`${name}: the first access token is capped at the session's absolute end`, async (t) => {
    const { store } = await open(t, { accessTokenTtl: 60, sessionMaxTtl: 20, refreshIdleTtl: 10 });
    const t0 = startOfSecond();
    const created = await store.create(newSession(t0));
    assert.equal(created.accessExpiresAt, t0 / 1000 + 20);
    assert.equal(created.session.idleExpiresAt, t0 / 1000 + 10);
  });

  test(`${name}: list filters (AND), orders newest first and pages with an opaque cursor`, async (t) => {
    const { store } = await open(t);
    const t0 = startOfSecond();
    const a = await store.create(newSession(t0, { agentId: "a1", rigId: "r1", role: "polecat", scope: "agent" }));
    const b = await store.create(newSession(t0 + 10, { agentId: "a2", rigId: "r1", role: "polecat", scope: "agent" }));
    const c = await store.create(newSession(t0 + 20, { agentId: "a1", rigId: "r2", role: "polecat", scope: "agent", userId: "user-2" }));
    // Three sessions created in the same millisecond: paging must neither skip nor repeat them.
    const same = [];
    for (let i = 0; i < 3; i += 1) same.push(await store.create(newSession(t0 + 30, { agentId: "a3", townId: "town-2" })));
    const ids = (page: { sessions: { sessionId: string }[] }) => page.sessions.map((s) => s.sessionId);
    const now = t0 + 100;

    const all = await store.list({}, 100, null, now);
    assert.equal(all.nextCursor, null);
    const sameIds = same.map((s) => s.session.sessionId).sort().reverse();
    assert.deepEqual(ids(all), [...sameIds, c.session.sessionId, b.session.sessionId, a.session.sessionId]);

    assert.deepEqual(ids(await store.list({ agentId: "a1" }, 100, null, now)), [c.session.sessionId, a.session.sessionId]);
    assert.deepEqual(ids(await store.list({ rigId: "r1" }, 100, null, now)), [b.session.sessionId, a.session.sessionId]);
    assert.deepEqual(ids(await store.list({ agentId: "a1", rigId: "r1" }, 100, null, now)), [a.session.sessionId]);
    assert.deepEqual(ids(await store.list({ agentId: "a1", userId: "user-2" }, 100, null, now)), [c.session.sessionId]);
    assert.deepEqual(ids(await store.list({ townId: "town-2" }, 100, null, now)), sameIds);
    assert.deepEqual(ids(await store.list({ agentId: "nobody" }, 100, null, now)), []);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await store.list({}, 2, cursor, now);
      assert.ok(page.sessions.length <= 2);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    assert.deepEqual(seen, ids(all));
    assert.equal(pages, 3);

    const filtered = await store.list({ townId: "town-2" }, 2, null, now);
    assert.equal(filtered.sessions.length, 2);
    assert.notEqual(filtered.nextCursor, null);
    const rest = await store.list({ townId: "town-2" }, 2, filtered.nextCursor, now);
    assert.deepEqual([...ids(filtered), ...ids(rest)], sameIds);
    assert.equal(rest.nextCursor, null);
  });

  test(`${name}: revoke and revokeWhere count only live sessions and publish each revocation`, async (t) => {
    const { store, policy, events } = await open(t);
    const t0 = startOfSecond();
    const one = await store.create(newSession(t0, { agentId: "a1" }));
    const two = await store.create(newSession(t0, { agentId: "a1" }));
    const three = await store.create(newSession(t0, { agentId: "a1" }));
    const other = await store.create(newSession(t0, { agentId: "a2" }));
    const until = revokedUntil(t0 / 1000 + policy.accessTokenTtl, policy);

    assert.deepEqual(await store.revoke(one.session.sessionId, "admin", t0 + 1000), { known: true, revoked: true });
    assert.deepEqual(await store.revoke(one.session.sessionId, "admin", t0 + 1000), { known: true, revoked: false });
    assert.deepEqual(await store.revoke("s_never", "admin", t0 + 1000), { known: false, revoked: false });
    assert.equal((await store.get(one.session.sessionId, t0 + 1000))?.revokeReason, "admin");

    assert.equal(await store.revokeWhere({ agentId: "a1" }, "superseded", t0 + 2000), 2);
    assert.equal(await store.revokeWhere({ agentId: "a1" }, "superseded", t0 + 2000), 0);
    const seen = await events(3);
    assert.equal(seen.length, 3);
    assert.deepEqual(seen[0], { sid: one.session.sessionId, reason: "admin", until });
    assert.deepEqual(
      seen.slice(1).map((e) => e.sid).sort(),
      [two.session.sessionId, three.session.sessionId].sort(),
    );
    assert.ok(seen.slice(1).every((e) => e.reason === "superseded" && e.until === until));
    assert.equal((await store.get(three.session.sessionId, t0 + 2000))?.state, "revoked");
    assert.equal((await store.get(other.session.sessionId, t0 + 2000))?.state, "active");

    await assert.rejects(store.revokeWhere({ agentId: "a2", townId: "town-1" }, "admin", t0), { code: "ERR_STORE_INVALID_FILTER" });
    await assert.rejects(store.revokeWhere({}, "admin", t0), { code: "ERR_STORE_INVALID_FILTER" });
    assert.equal((await store.get(other.session.sessionId, t0 + 2000))?.state, "active");
    assert.equal(await store.revokeWhere({ townId: "town-1" }, "admin", t0 + 3000), 1);
  });

  test(`${name}: an ended session stays readable until its access tokens expired, then reads as gone`, async (t) => {
    const { store, policy } = await open(t, { accessTokenTtl: 5, clockTolerance: 2 });
    const t0 = startOfSecond();
    const { session } = await store.create(newSession(t0));
    await store.revoke(session.sessionId, "client", t0 + 1000);
    const lastReadable = t0 + (5 + policy.clockTolerance) * 1000 - 1;
    assert.equal((await store.get(session.sessionId, lastReadable))?.state, "revoked");
    assert.equal(await store.get(session.sessionId, lastReadable + 1), undefined);
    assert.deepEqual((await store.list({}, 10, null, lastReadable + 1)).sessions, []);
  });
  test(`${name}: countLive counts the live sessions through rotations, revocations, reuse and idle ends`, async (t) => {
    // Refreshes at most one access-token lifetime apart (what the supervisor does).
    const { store } = await open(t, { accessTokenTtl: 2, refreshIdleTtl: 10, sessionMaxTtl: 3600, refreshGrace: 1 });
    const t0 = startOfSecond();
    const kept = await store.create(newSession(t0));
    await store.create(newSession(t0)); // never refreshed
    const revoked = await store.create(newSession(t0));
    const reused = await store.create(newSession(t0));
    assert.equal(await store.countLive(t0 + 1000), 4);
    assert.equal((await store.revoke(revoked.session.sessionId, "admin", t0 + 1000)).revoked, true);
    assert.equal((await store.rotate(rotation(reused.session.sessionId, 0, t0 + 1000))).outcome, "rotated");
    assert.equal((await store.rotate(rotation(reused.session.sessionId, 0, t0 + 3000))).outcome, "reuse_detected");
    assert.equal(await store.countLive(t0 + 3000), 2);
    for (let generation = 0; generation < 10; generation += 1) {
      assert.equal((await store.rotate(rotation(kept.session.sessionId, generation, t0 + 2000 * (generation + 1)))).outcome, "rotated");
    }
    // the one never refreshed: its idle end (t0 + 10 s) passed; `kept` refreshed up to t0 + 20 s.
    assert.equal(await store.countLive(t0 + 10_000), 2);
    assert.equal(await store.countLive(t0 + 10_001), 1);
    assert.equal(await store.countLive(t0 + 29_000), 1);
    assert.equal(await store.countLive(t0 + 30_001), 0);
  });

  rotationContract(name, factory);
}
