import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { REQUIRED_CLAIMS } from "@gastown/token-policy";
import { decodeProtectedHeader } from "jose";
import { CONTAINER, DEFAULT_AGENT, DISPATCH, type Harness, STORE_KINDS, startHarness } from "./harness.js";

for (const kind of STORE_KINDS) {
  describe(`dispatch grant (${kind} store)`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness(kind);
    });
    afterEach(() => h.close());

    it("answers the token response and an access token that verifies with token-policy", async () => {
      const response = await h.form("/oauth2/token", { grant_type: DISPATCH, ...DEFAULT_AGENT }, { Authorization: `Basic ${Buffer.from("worker:dev-worker-secret").toString("base64")}` }).expect(200);
      assert.equal(response.headers["cache-control"], "no-store");
      assert.equal(response.headers.pragma, "no-cache");
      const body = response.body;
      assert.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "refresh_token", "scope", "session_id", "token_type"]);
      assert.equal(body.token_type, "Bearer");
      assert.equal(body.expires_in, h.service.policy.accessTokenTtl);
      assert.equal(body.scope, "agent");
      assert.match(body.session_id, /^[A-Za-z0-9_-]{22}$/);
      assert.match(body.refresh_token, new RegExp(`^gtr_${body.session_id}\\.0\\.[A-Za-z0-9_-]{43}$`));

      const header = decodeProtectedHeader(body.access_token);
      assert.equal(header.typ, "at+jwt");
      assert.equal(header.alg, "ES256");
      assert.equal(typeof header.kid, "string");
      const claims = await h.verify(body.access_token);
      for (const claim of REQUIRED_CLAIMS) assert.ok(claim in claims, `claim ${claim}`);
      assert.equal(claims.iss, h.url, "issuer is the listening URL when AUTH_ISSUER is unset");
      assert.equal(claims.aud, "gastown-worker-api");
      assert.equal(claims.sub, DEFAULT_AGENT.agent_id);
      assert.equal(claims.agent_id, DEFAULT_AGENT.agent_id);
      assert.equal(claims.rig_id, DEFAULT_AGENT.rig_id);
      assert.equal(claims.town_id, DEFAULT_AGENT.town_id);
      assert.equal(claims.user_id, DEFAULT_AGENT.user_id);
      assert.equal(claims.role, "polecat");
      assert.equal(claims.client_id, CONTAINER);
      assert.equal(claims.sid, body.session_id);
      assert.equal(claims.scope, "agent");
      assert.equal(claims.iat, h.clock.seconds);
      assert.equal(claims.exp, h.clock.seconds + h.service.policy.accessTokenTtl);
      assert.match(claims.jti, /^[A-Za-z0-9_-]{22}$/);

      const session = await h.admin("get", `/admin/sessions/${body.session_id}`).expect(200);
      assert.equal(session.body.client_id, CONTAINER);
      assert.equal(session.body.generation, 0);
    });

    it("a town-level mayor gets both scopes and no rig_id claim; client_secret_post works", async () => {
      const response = await h
        .form("/oauth2/token", { grant_type: DISPATCH, agent_id: "mayor", town_id: "town-1", user_id: "user-1", role: "mayor", client_id: "worker", client_secret: "dev-worker-secret" })
        .expect(200);
      assert.equal(response.body.scope, "agent mayor");
      const claims = await h.verify(response.body.access_token);
      assert.equal("rig_id" in claims, false);
      assert.equal(claims.scope, "agent mayor");
      assert.equal(claims.role, "mayor");
    });

    it("a requested scope within the role is granted as asked; jti differs per token", async () => {
      const a = await h.dispatch({ agent_id: "mayor", role: "mayor", scope: "agent" });
      const b = await h.dispatch({ agent_id: "mayor", role: "mayor", scope: "mayor  agent" });
      assert.equal(a.scope, "agent");
      assert.equal(b.scope, "agent mayor");
      assert.notEqual(a.session_id, b.session_id);
      assert.notEqual((await h.verify(a.access_token)).jti, (await h.verify(b.access_token)).jti);
    });

    it("ignores unknown parameters (RFC 6749 §3.2) and accepts a charset parameter", async () => {
      const response = await h.http
        .post("/oauth2/token")
        .set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        .set("Authorization", `Basic ${Buffer.from("worker:dev-worker-secret").toString("base64")}`)
        .send(new URLSearchParams({ grant_type: DISPATCH, ...DEFAULT_AGENT, extra: "1" }).toString())
        .expect(200);
      assert.equal(response.body.token_type, "Bearer");
    });
  });
}
