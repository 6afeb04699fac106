import assert from "node:assert/strict";
import { test } from "node:test";
import { revokedUntil } from "@gastown/token-policy";
import type { RotateInput } from "../src/store/index.js";
import { type HarnessFactory, newSession, opener, rotation, startOfSecond } from "./store-contract.js";

/** The rotation half of the session-store contract: invariants 1, 2, 3, 6 and 8. */
export function rotationContract(name: string, factory: HarnessFactory): void {
  const open = opener(factory);

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

}
