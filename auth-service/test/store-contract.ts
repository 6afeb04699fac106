import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { loadPolicy, type PolicyOverrides, type RevocationEvent, revokedUntil, type TokenPolicy } from "@gastown/token-policy";
import type { NewSession, RotateInput, SessionStore } from "../src/store/index.js";

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

/**
 * Registers the session-store contract (DESIGN.md invariants 1, 2, 3, 6, 7, 8) for one
 * implementation. Both stores must pass it unchanged.
 */
export function storeContract(name: string, factory: HarnessFactory): void {
  async function open(t: { after(fn: () => Promise<void>): void }, overrides: PolicyOverrides = {}): Promise<StoreHarness> {
    const harness = await factory(loadPolicy({}, overrides));
    t.after(() => harness.close());
    return harness;
  }

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

  test(`${name}: rotate advances the generation, the idle end and the access expiry; narrowing keeps the granted scope`, async (t) => {
    const { store, policy } = await open(t);
    const t0 = startOfSecond();
    const { session } = await store.create(newSession(t0));
    const t1 = t0 + 60_000;
    const result = await store.rotate(rotation(session.sessionId, 0, t1, { requestedScope: "agent" }));
    assert.equal(result.outcome, "rotated");
    assert.ok(result.outcome === "rotated");
    const sec = t1 / 1000;
    assert.equal(result.generation, 1);
    assert.equal(result.scope, "agent");
    assert.equal(result.accessExpiresAt, sec + policy.accessTokenTtl);
    assert.equal(result.session.generation, 1);
    assert.equal(result.session.scope, "agent mayor");
    assert.equal(result.session.lastRefreshAt, sec);
    assert.equal(result.session.idleExpiresAt, sec + policy.refreshIdleTtl);
    assert.equal(result.session.expiresAt, session.expiresAt);
    assert.equal(result.session.lastAccessExpiresAt, sec + policy.accessTokenTtl);
    assert.deepEqual(await store.get(session.sessionId, t1), result.session);

    const again = await store.rotate(rotation(session.sessionId, 1, t1 + 1000));
    assert.ok(again.outcome === "rotated");
    assert.equal(again.generation, 2);
    assert.equal(again.scope, "agent mayor");
  });

  test(`${name}: 50 concurrent refreshes with one token: exactly one rotates, 49 replay the same successor (invariants 1, 2)`, async (t) => {
    const { store, events } = await open(t);
    const t0 = startOfSecond();
    const { session } = await store.create(newSession(t0));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.rotate(rotation(session.sessionId, 0, t0 + 1000 + i))));
    const outcomes = results.map((r) => r.outcome);
    assert.equal(outcomes.filter((o) => o === "rotated").length, 1);
    assert.equal(outcomes.filter((o) => o === "grace_replay").length, 49);
    for (const r of results) assert.ok((r.outcome === "rotated" || r.outcome === "grace_replay") && r.generation === 1);
    const after = await store.get(session.sessionId, t0 + 2000);
    assert.equal(after?.generation, 1);
    assert.equal(after?.state, "active");
    // Nothing was revoked: the next revocation is the first event on the feed.
    await store.revoke(session.sessionId, "admin", t0 + 3000);
    assert.deepEqual((await events(1)).map((e) => e.reason), ["admin"]);
  });

  test(`${name}: the previous token inside the grace window gets the same generation and a fresh access token, nothing else moves`, async (t) => {
    const { store, policy } = await open(t, { accessTokenTtl: 100, refreshGrace: 30 });
    const t0 = startOfSecond();
    const { session } = await store.create(newSession(t0));
    const rotated = await store.rotate(rotation(session.sessionId, 0, t0 + 1000));
    assert.ok(rotated.outcome === "rotated");
    const replayAt = t0 + 1000 + policy.refreshGrace * 1000;
    const replay = await store.rotate(rotation(session.sessionId, 0, replayAt, { requestedScope: "agent" }));
    assert.ok(replay.outcome === "grace_replay");
    assert.equal(replay.generation, 1);
    assert.equal(replay.scope, "agent");
    assert.equal(replay.accessExpiresAt, replayAt / 1000 + 100);
    assert.deepEqual(replay.session, { ...rotated.session, lastAccessExpiresAt: replayAt / 1000 + 100 });
    const next = await store.rotate(rotation(session.sessionId, 1, replayAt + 1000));
    assert.ok(next.outcome === "rotated");
    assert.equal(next.generation, 2);
  });

  test(`${name}: the previous token after the grace window revokes the session (reuse, RFC 9700 §4.14.2), published`, async (t) => {
    const { store, policy, events } = await open(t, { refreshGrace: 5 });
    const t0 = startOfSecond();
    const { session } = await store.create(newSession(t0));
    const rotated = await store.rotate(rotation(session.sessionId, 0, t0 + 1000));
    assert.ok(rotated.outcome === "rotated");
    const late = t0 + 1000 + policy.refreshGrace * 1000 + 1;
    const result = await store.rotate(rotation(session.sessionId, 0, late));
    const until = revokedUntil(rotated.session.lastAccessExpiresAt, policy);
    assert.deepEqual(result, { outcome: "reuse_detected", revocation: { sid: session.sessionId, reason: "reuse_detected", until } });
    assert.deepEqual(await events(1), [{ sid: session.sessionId, reason: "reuse_detected", until }]);
    const after = await store.get(session.sessionId, late);
    assert.equal(after?.state, "revoked");
    assert.equal(after?.revokeReason, "reuse_detected");
    assert.deepEqual(await store.rotate(rotation(session.sessionId, 1, late + 1)), { outcome: "invalid", reason: "not_active" });
  });

  test(`${name}: an older generation is reuse even inside the grace window of the last rotation`, async (t) => {
    const { store, events } = await open(t);
    const t0 = startOfSecond();
    const { session } = await store.create(newSession(t0));
    await store.rotate(rotation(session.sessionId, 0, t0 + 1000));
    await store.rotate(rotation(session.sessionId, 1, t0 + 2000));
    const result = await store.rotate(rotation(session.sessionId, 0, t0 + 2001));
    assert.equal(result.outcome, "reuse_detected");
    assert.equal((await events(1))[0]?.sid, session.sessionId);
    assert.equal((await store.get(session.sessionId, t0 + 2001))?.state, "revoked");
  });

  test(`${name}: rejected refreshes change nothing (invariant 8)`, async (t) => {
    const { store, events } = await open(t);
    const t0 = startOfSecond();
    const { session } = await store.create(newSession(t0, { scope: "agent" }));
    await store.rotate(rotation(session.sessionId, 0, t0 + 1000));
    await store.rotate(rotation(session.sessionId, 1, t0 + 2000));
    const ended = await store.create(newSession(t0));
    await store.revoke(ended.session.sessionId, "admin", t0 + 500);
    const now = t0 + 2500;
    const cases: [string, RotateInput, string][] = [
      ["future generation", rotation(session.sessionId, 3, now), "future_generation"],
      ["another client, current generation", rotation(session.sessionId, 2, now, { clientId: "other" }), "client_mismatch"],
      ["another client, old generation (checked before reuse)", rotation(session.sessionId, 0, now, { clientId: "other" }), "client_mismatch"],
      ["widened scope", rotation(session.sessionId, 2, now, { requestedScope: "agent mayor" }), "scope_widened"],
      ["widened scope with an old generation", rotation(session.sessionId, 0, now, { requestedScope: "mayor" }), "scope_widened"],
      ["unknown session", rotation("s_never", 0, now), "unknown_session"],
      ["revoked session", rotation(ended.session.sessionId, 0, now), "not_active"],
    ];
    for (const [label, input, reason] of cases) {
      const before = await store.dump();
      assert.deepEqual(await store.rotate(input), { outcome: "invalid", reason }, label);
      assert.deepEqual(await store.dump(), before, label);
    }
    // No event besides the admin revocation above: the next one follows it directly.
    await store.revoke(session.sessionId, "client", now);
    assert.deepEqual((await events(2)).map((e) => e.reason), ["admin", "client"]);
  });

  test(`${name}: idle timeout ends the session on its next refresh (published as expired)`, async (t) => {
    const { store, policy, events } = await open(t, { accessTokenTtl: 4, refreshIdleTtl: 10, sessionMaxTtl: 60 });
    const t0 = startOfSecond();
    const { session } = await store.create(newSession(t0));
    const idleEnd = t0 + 10_000;
    assert.equal((await store.get(session.sessionId, idleEnd))?.state, "active");
    const expiredView = await store.get(session.sessionId, idleEnd + 1);
    assert.equal(expiredView?.state, "expired");
    assert.equal(expiredView?.revokeReason, "expired");
    const result = await store.rotate(rotation(session.sessionId, 0, idleEnd + 1));
    const until = revokedUntil(t0 / 1000 + 4, policy);
    assert.deepEqual(result, { outcome: "expired", revocation: { sid: session.sessionId, reason: "expired", until } });
    assert.deepEqual(await events(1), [{ sid: session.sessionId, reason: "expired", until }]);
    assert.equal((await store.get(session.sessionId, idleEnd + 2))?.state, "expired");
    assert.deepEqual(await store.rotate(rotation(session.sessionId, 0, idleEnd + 2)), { outcome: "invalid", reason: "not_active" });
    assert.equal(await store.revokeWhere({ agentId: session.agentId }, "admin", idleEnd + 2), 0);
  });

  test(`${name}: rotation never extends the absolute lifetime; access tokens are capped at it (invariant 6)`, async (t) => {
    const { store } = await open(t, { accessTokenTtl: 15, refreshIdleTtl: 10, sessionMaxTtl: 20 });
    const t0 = startOfSecond();
    const sec = t0 / 1000;
    const { session } = await store.create(newSession(t0));
    const first = await store.rotate(rotation(session.sessionId, 0, t0 + 8000));
    assert.ok(first.outcome === "rotated");
    assert.equal(first.session.idleExpiresAt, sec + 18);
    assert.equal(first.accessExpiresAt, sec + 20);
    const second = await store.rotate(rotation(session.sessionId, 1, t0 + 16_000));
    assert.ok(second.outcome === "rotated");
    assert.equal(second.session.idleExpiresAt, sec + 20);
    assert.equal(second.session.expiresAt, sec + 20);
    assert.equal(second.accessExpiresAt, sec + 20);
    assert.equal((await store.get(session.sessionId, t0 + 19_999))?.state, "active");
    assert.equal((await store.get(session.sessionId, t0 + 20_000))?.state, "expired");
    const atEnd = await store.rotate(rotation(session.sessionId, 2, t0 + 20_000));
    assert.equal(atEnd.outcome, "expired");
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
}
