import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { Response } from "supertest";
import { type Harness, STORE_KINDS, startHarness } from "./harness.js";

for (const kind of STORE_KINDS) {
  describe(`lifetimes with an injected clock (${kind} store)`, () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it("access token exp is now + accessTokenTtl at dispatch and at each refresh", async () => {
      h = await startHarness(kind, { policyOverrides: { accessTokenTtl: 60 } });
      const first = await h.dispatch();
      assert.equal((await h.verify(first.access_token)).exp, h.clock.seconds + 60);
      h.clock.advance(50);
      const next = await h.refresh(first.refresh_token).expect(200);
      assert.equal(next.body.expires_in, 60);
      assert.equal((await h.verify(next.body.access_token)).exp, h.clock.seconds + 60);
    });

    it("idle timeout: no refresh for refreshIdleTtl ends the session; each refresh moves it", async () => {
      h = await startHarness(kind, { policyOverrides: { accessTokenTtl: 5, refreshIdleTtl: 10, refreshGrace: 2 } });
      const first = await h.dispatch();
      h.clock.advance(8);
      const second = (await h.refresh(first.refresh_token).expect(200)).body;
      const session = await h.admin("get", `/admin/sessions/${first.session_id}`).expect(200);
      assert.equal(session.body.idle_expires_at, h.clock.seconds + 10);
      h.clock.advance(11);
      const late = await h.refresh(second.refresh_token).expect(400);
      assert.equal(late.body.error, "invalid_grant");
      const ended = await h.admin("get", `/admin/sessions/${first.session_id}`).expect(200);
      assert.equal(ended.body.state, "expired");
    });

    it("absolute lifetime: rotation never extends it and exp is capped at the session's end (expires_in may reach 0)", async () => {
      h = await startHarness(kind, { policyOverrides: { accessTokenTtl: 10, refreshIdleTtl: 8, sessionMaxTtl: 20, refreshGrace: 1 } });
      const start = h.clock.seconds;
      let tokens = await h.dispatch();
      const created = await h.admin("get", `/admin/sessions/${tokens.session_id}`).expect(200);
      assert.equal(created.body.expires_at, start + 20);
      for (let i = 0; i < 3; i++) {
        h.clock.advance(6);
        tokens = (await h.refresh(tokens.refresh_token).expect(200)).body;
        const read: Response = await h.admin("get", `/admin/sessions/${tokens.session_id}`).expect(200);
        assert.equal(read.body.expires_at, start + 20, "rotation does not extend the absolute end");
        assert.ok(read.body.idle_expires_at <= start + 20);
      }
      // now = start + 18: a fresh access token would live to start + 28; capped at start + 20.
      const claims = await h.verify(tokens.access_token);
      assert.equal(claims.exp, start + 20);
      assert.equal(tokens.expires_in, 2);
      h.clock.advance(2); // exactly at the end
      const atEnd = await h.refresh(tokens.refresh_token);
      if (atEnd.status === 200) assert.equal(atEnd.body.expires_in, 0);
      else assert.equal(atEnd.body.error, "invalid_grant");
      h.clock.advance(1);
      const after = await h.refresh(atEnd.status === 200 ? atEnd.body.refresh_token : tokens.refresh_token).expect(400);
      assert.equal(after.body.error, "invalid_grant");
    });
  });
}
