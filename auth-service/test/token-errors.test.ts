import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type Harness, STORE_KINDS, startHarness, type TokenBody } from "./harness.js";
import { alterMac, TOKEN_ERROR_CASES as CASES } from "./token-error-cases.js";

for (const kind of STORE_KINDS) {
  describe(`token endpoint errors change nothing (${kind} store)`, () => {
    let h: Harness;
    let live: TokenBody;
    beforeEach(async () => {
      h = await startHarness(kind);
      live = await h.dispatch();
    });
    afterEach(() => h.close());

    it("answers every malformed request with its RFC 6749 §5.2 code, never 5xx, and the store is unchanged", async () => {
      const before = await h.dump();
      assert.ok(Object.keys(before).length > 0, "the store holds the live session");
      for (const c of CASES) {
        let test = h.http.post("/oauth2/token").set("Content-Type", c.contentType ?? "application/x-www-form-urlencoded");
        for (const [name, value] of Object.entries(c.headers ?? {})) test = test.set(name, value);
        const response = await test.send(c.body(live));
        assert.equal(response.status, c.status, `${c.name}: ${response.status} ${response.text}`);
        assert.equal(response.body.error, c.error, `${c.name}: ${response.text}`);
        assert.equal(typeof response.body.error_description, "string", c.name);
        assert.equal(response.headers["cache-control"], "no-store", c.name);
        if (c.status === 401) assert.match(response.headers["www-authenticate"] ?? "", /^Basic realm=/, c.name);
        assert.deepEqual(await h.dump(), before, `${c.name} changed the store`);
      }
      // The live session still works with its genuine token.
      await h.refresh(live.refresh_token).expect(200);
    });

    it("invariant 8: forged or altered tokens naming a live session change nothing, even after rotations", async () => {
      const gen1 = (await h.refresh(live.refresh_token).expect(200)).body;
      const before = await h.dump();
      const forgeries = [
        alterMac(gen1.refresh_token),
        alterMac(live.refresh_token),
        `gtr_${live.session_id}.1.${Buffer.alloc(32).toString("base64url")}`,
        `gtr_${live.session_id}.0.${gen1.refresh_token.split(".")[2]}`,
        gen1.refresh_token.replace(/^gtr_/, "gtr-"),
        gen1.refresh_token.toUpperCase(),
      ];
      for (const forged of forgeries) {
        const response = await h.refresh(forged).expect(400);
        assert.equal(response.body.error, "invalid_grant", forged);
        assert.deepEqual(await h.dump(), before, `forged ${forged} changed the store`);
      }
      await h.refresh(gen1.refresh_token).expect(200);
    });

    it("GET on the token endpoint is 405, not 5xx", async () => {
      const response = await h.http.get("/oauth2/token");
      assert.equal(response.status, 405);
    });
  });
}
