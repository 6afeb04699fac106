import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type Harness, STORE_KINDS, startHarness } from "./harness.js";

for (const kind of STORE_KINDS) {
  describe(`refresh grant rotation (${kind} store)`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness(kind);
    });
    afterEach(() => h.close());

    it("rotates: a new access token, the next refresh token, the same session", async () => {
      const first = await h.dispatch();
      h.clock.advance(5);
      const response = await h.refresh(first.refresh_token).expect(200);
      assert.equal(response.headers["cache-control"], "no-store");
      assert.equal(response.headers.pragma, "no-cache");
      assert.equal(response.body.session_id, first.session_id);
      assert.equal(response.body.token_type, "Bearer");
      assert.equal(response.body.scope, "agent");
      assert.notEqual(response.body.refresh_token, first.refresh_token);
      assert.match(response.body.refresh_token, new RegExp(`^gtr_${first.session_id}\\.1\\.`));
      const claims = await h.verify(response.body.access_token);
      assert.equal(claims.sid, first.session_id);
      assert.equal(claims.iat, h.clock.seconds);
      const session = await h.admin("get", `/admin/sessions/${first.session_id}`).expect(200);
      assert.equal(session.body.generation, 1);
      assert.equal(session.body.last_refresh_at, h.clock.seconds);
    });

    it("invariant 1: 50 concurrent refreshes of one token all get one and the same successor", async () => {
      const first = await h.dispatch();
      h.clock.advance(1);
      const responses = await Promise.all(Array.from({ length: 50 }, () => h.refresh(first.refresh_token)));
      for (const response of responses) assert.equal(response.status, 200, response.text);
      const successors = new Set(responses.map((r) => r.body.refresh_token as string));
      assert.equal(successors.size, 1);
      const accessTokens = new Set(responses.map((r) => r.body.access_token as string));
      assert.equal(accessTokens.size, 50, "every answer carries a fresh access token");
      const session = await h.admin("get", `/admin/sessions/${first.session_id}`).expect(200);
      assert.equal(session.body.generation, 1);
      assert.equal(session.body.state, "active");
      // The one successor is the current token.
      const next = await h.refresh([...successors][0]!).expect(200);
      assert.match(next.body.refresh_token, /\.2\./);
    });

    it("invariant 2: replaying the previous token inside grace returns the same successor", async () => {
      const first = await h.dispatch();
      const rotated = await h.refresh(first.refresh_token).expect(200);
      h.clock.advance(h.service.policy.refreshGrace - 1);
      const replay = await h.refresh(first.refresh_token).expect(200);
      assert.equal(replay.body.refresh_token, rotated.body.refresh_token);
      assert.notEqual(replay.body.access_token, rotated.body.access_token);
      const session = await h.admin("get", `/admin/sessions/${first.session_id}`).expect(200);
      assert.equal(session.body.generation, 1);
      assert.equal(session.body.state, "active");
      await h.refresh(rotated.body.refresh_token).expect(200);
    });

    it("invariant 3: the previous token after grace revokes the session", async () => {
      const first = await h.dispatch();
      const rotated = await h.refresh(first.refresh_token).expect(200);
      h.clock.advance(h.service.policy.refreshGrace + 1);
      const reuse = await h.refresh(first.refresh_token).expect(400);
      assert.equal(reuse.body.error, "invalid_grant");
      const later = await h.refresh(rotated.body.refresh_token).expect(400);
      assert.equal(later.body.error, "invalid_grant");
      const session = await h.admin("get", `/admin/sessions/${first.session_id}`).expect(200);
      assert.equal(session.body.state, "revoked");
      assert.equal(session.body.revoke_reason, "reuse_detected");
    });

    it("invariant 3: any older genuine token revokes the session at once", async () => {
      const gen0 = await h.dispatch();
      const gen1 = (await h.refresh(gen0.refresh_token).expect(200)).body;
      h.clock.advance(2);
      const gen2 = (await h.refresh(gen1.refresh_token).expect(200)).body;
      const reuse = await h.refresh(gen0.refresh_token).expect(400);
      assert.equal(reuse.body.error, "invalid_grant");
      assert.equal((await h.refresh(gen2.refresh_token).expect(400)).body.error, "invalid_grant");
      const session = await h.admin("get", `/admin/sessions/${gen0.session_id}`).expect(200);
      assert.deepEqual([session.body.state, session.body.revoke_reason], ["revoked", "reuse_detected"]);
    });

    it("narrows the scope on refresh, never widens it", async () => {
      const mayor = await h.dispatch({ agent_id: "mayor", role: "mayor", rig_id: "" });
      assert.equal(mayor.scope, "agent mayor");
      const narrowed = await h.refresh(mayor.refresh_token, { scope: "agent" }).expect(200);
      assert.equal(narrowed.body.scope, "agent");
      assert.equal((await h.verify(narrowed.body.access_token)).scope, "agent");

      const polecat = await h.dispatch();
      const before = await h.dump();
      const widened = await h.refresh(polecat.refresh_token, { scope: "agent mayor" }).expect(400);
      assert.equal(widened.body.error, "invalid_scope");
      assert.deepEqual(await h.dump(), before);
    });

    it("a refresh token presented by another client is invalid_grant and changes nothing", async () => {
      const first = await h.dispatch();
      const before = await h.dump();
      const response = await h
        .form("/oauth2/token", { grant_type: "refresh_token", refresh_token: first.refresh_token, client_id: "worker", client_secret: "dev-worker-secret" })
        .expect(400);
      assert.equal(response.body.error, "invalid_grant");
      assert.deepEqual(await h.dump(), before);
      await h.refresh(first.refresh_token).expect(200);
    });

    it("a revoked session's token is invalid_grant", async () => {
      const first = await h.dispatch();
      await h.admin("delete", `/admin/sessions/${first.session_id}`).expect(200, { revoked: 1 });
      assert.equal((await h.refresh(first.refresh_token).expect(400)).body.error, "invalid_grant");
    });
  });
}
