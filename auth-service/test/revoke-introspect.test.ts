import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { BASIC, CONTAINER, type Harness, STORE_KINDS, startHarness } from "./harness.js";

for (const kind of STORE_KINDS) {
  describe(`revocation endpoint, RFC 7009 (${kind} store)`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness(kind, { policyOverrides: { accessTokenTtl: 30 } });
    });
    afterEach(() => h.close());

    const state = async (sid: string) => (await h.admin("get", `/admin/sessions/${sid}`).expect(200)).body;

    it("the container client revokes its own session with the refresh token (reason client)", async () => {
      const tokens = await h.dispatch();
      const response = await h.form("/oauth2/revoke", { token: tokens.refresh_token, client_id: CONTAINER }).expect(200);
      assert.equal(response.headers["cache-control"], "no-store");
      assert.deepEqual([(await state(tokens.session_id)).state, (await state(tokens.session_id)).revoke_reason], ["revoked", "client"]);
      assert.equal((await h.refresh(tokens.refresh_token).expect(400)).body.error, "invalid_grant");
    });

    it("a dispatcher revokes with an expired access token and revocation_reason=superseded", async () => {
      const a = await h.dispatch({ agent_id: "agent-a" });
      const b = await h.dispatch({ agent_id: "agent-b" });
      h.clock.advance(120); // both access tokens are long past exp (+ tolerance); their signatures still count
      await h.form("/oauth2/revoke", { token: a.access_token, token_type_hint: "access_token", revocation_reason: "superseded" }, { Authorization: BASIC }).expect(200);
      assert.equal((await h.refresh(a.refresh_token).expect(400)).body.error, "invalid_grant");
      const bNext = (await h.refresh(b.refresh_token).expect(200)).body;
      await h.form("/oauth2/revoke", { token: bNext.access_token, revocation_reason: "superseded" }, { Authorization: BASIC }).expect(200);
      const read = await state(b.session_id);
      assert.deepEqual([read.state, read.revoke_reason], ["revoked", "superseded"]);
    });

    it("token_type_hint is a hint only: a wrong hint still revokes", async () => {
      const tokens = await h.dispatch();
      await h.form("/oauth2/revoke", { token: tokens.refresh_token, token_type_hint: "access_token", client_id: CONTAINER }).expect(200);
      assert.equal((await state(tokens.session_id)).state, "revoked");
    });

    it("unknown, forged and foreign-signed tokens get 200 and change nothing", async () => {
      const tokens = await h.dispatch();
      const other = await startHarness("memory");
      try {
        const foreign = await other.dispatch();
        const before = await h.dump();
        const forged = `gtr_${tokens.session_id}.0.${"A".repeat(43)}`;
        const [header, payload] = tokens.access_token.split(".");
        const badSignature = `${header}.${payload}.${"A".repeat(86)}`;
        for (const token of ["nothing", forged, badSignature, foreign.access_token, foreign.refresh_token]) {
          await h.form("/oauth2/revoke", { token, client_id: CONTAINER }).expect(200);
          await h.form("/oauth2/revoke", { token }, { Authorization: BASIC }).expect(200);
        }
        assert.deepEqual(await h.dump(), before);
      } finally {
        await other.close();
      }
    });

    it("needs client authentication and a token; the container client may not give a reason", async () => {
      const tokens = await h.dispatch();
      const before = await h.dump();
      assert.equal((await h.form("/oauth2/revoke", { token: tokens.refresh_token }).expect(401)).body.error, "invalid_client");
      assert.equal((await h.form("/oauth2/revoke", { client_id: CONTAINER }).expect(400)).body.error, "invalid_request");
      const reason = await h.form("/oauth2/revoke", { token: tokens.refresh_token, client_id: CONTAINER, revocation_reason: "superseded" }).expect(400);
      assert.equal(reason.body.error, "invalid_request");
      const badReason = await h.form("/oauth2/revoke", { token: tokens.refresh_token, revocation_reason: "admin" }, { Authorization: BASIC }).expect(400);
      assert.equal(badReason.body.error, "invalid_request");
      assert.deepEqual(await h.dump(), before);
    });
  });

  describe(`introspection endpoint, RFC 7662 (${kind} store)`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness(kind, { policyOverrides: { accessTokenTtl: 30 } });
    });
    afterEach(() => h.close());

    const introspect = (token: string, extra: Record<string, string> = {}) => h.form("/oauth2/introspect", { token, ...extra }, { Authorization: BASIC });

    it("answers an active access token without echoing it", async () => {
      const tokens = await h.dispatch();
      const response = await introspect(tokens.access_token).expect(200);
      const claims = await h.verify(tokens.access_token);
      assert.deepEqual(response.body, { active: true, scope: "agent", client_id: CONTAINER, sub: claims.sub, exp: claims.exp, iat: claims.iat, sid: tokens.session_id, token_type: "Bearer" });
      assert.ok(!response.text.includes(tokens.access_token));
    });

    it("answers the current refresh token as active, an old one and a forged one as inactive", async () => {
      const tokens = await h.dispatch();
      const current = await introspect(tokens.refresh_token, { token_type_hint: "refresh_token" }).expect(200);
      assert.equal(current.body.active, true);
      assert.equal(current.body.sid, tokens.session_id);
      assert.equal(current.body.token_type, "refresh_token");
      assert.ok(!current.text.includes(tokens.refresh_token));
      const before = await h.dump();
      await h.refresh(tokens.refresh_token).expect(200);
      assert.deepEqual((await introspect(tokens.refresh_token).expect(200)).body, { active: false });
      assert.deepEqual((await introspect(`gtr_${tokens.session_id}.0.${"B".repeat(43)}`).expect(200)).body, { active: false });
      assert.notDeepEqual(await h.dump(), before);
    });

    it("expired access tokens and revoked sessions are inactive", async () => {
      const tokens = await h.dispatch();
      h.clock.advance(30 + h.service.policy.clockTolerance + 1);
      assert.deepEqual((await introspect(tokens.access_token).expect(200)).body, { active: false });
      const fresh = await h.dispatch();
      await h.admin("delete", `/admin/sessions/${fresh.session_id}`).expect(200);
      assert.deepEqual((await introspect(fresh.access_token).expect(200)).body, { active: false });
      assert.deepEqual((await introspect(fresh.refresh_token).expect(200)).body, { active: false });
      assert.deepEqual((await introspect("garbage").expect(200)).body, { active: false });
    });

    it("refuses the public container client and unauthenticated callers", async () => {
      const tokens = await h.dispatch();
      const asContainer = await h.form("/oauth2/introspect", { token: tokens.access_token, client_id: CONTAINER }).expect(401);
      assert.equal(asContainer.body.error, "invalid_client");
      assert.match(asContainer.headers["www-authenticate"] ?? "", /^Basic/);
      assert.equal((await h.form("/oauth2/introspect", { token: tokens.access_token }).expect(401)).body.error, "invalid_client");
      assert.equal((await h.form("/oauth2/introspect", {}, { Authorization: BASIC }).expect(400)).body.error, "invalid_request");
    });
  });
}
