import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Koa from "koa";
import request from "supertest";
import { requireStaticBearer, StaticBearer } from "../src/index.js";

const CREDENTIAL = "op-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

describe("static bearer credentials", () => {
  it("checks the credential: ok, missing or invalid", () => {
    const bearer = new StaticBearer(CREDENTIAL);
    assert.equal(bearer.check(`Bearer ${CREDENTIAL}`), "ok");
    assert.equal(bearer.check(`bearer   ${CREDENTIAL}  `), "ok", "scheme case-insensitive, spaces tolerated");
    for (const header of [undefined, "", `Basic ${CREDENTIAL}`, CREDENTIAL]) assert.equal(bearer.check(header), "missing", String(header));
    for (const header of ["Bearer", "Bearer ", "Bearer wrong", `Bearer ${CREDENTIAL}x`, `Bearer ${CREDENTIAL.slice(0, -1)}`, `Bearer ${CREDENTIAL} extra`]) {
      assert.equal(bearer.check(header), "invalid", header);
    }
    assert.throws(() => new StaticBearer(""), RangeError);
  });

  it("answers 401 with the RFC 6750 challenge and stops the request", async () => {
    let reached = 0;
    const app = new Koa();
    app.use(requireStaticBearer(CREDENTIAL, { what: "the operator token" }));
    app.use((ctx) => {
      reached++;
      ctx.body = { ok: true };
    });
    const http = request(app.callback());
    const missing = await http.get("/").expect(401);
    assert.equal(missing.headers["www-authenticate"], "Bearer");
    assert.equal(missing.body.error, "unauthorized");
    const wrong = await http.get("/").set("Authorization", "Bearer nope").expect(401);
    assert.equal(wrong.headers["www-authenticate"], 'Bearer error="invalid_token"');
    assert.equal(wrong.body.error, "invalid_token");
    assert.equal(reached, 0);
    await http.get("/").set("Authorization", `Bearer ${CREDENTIAL}`).expect(200);
    assert.equal(reached, 1);
  });

  it("names the realm when given", async () => {
    const app = new Koa();
    app.use(requireStaticBearer(CREDENTIAL, { what: "the admin token", realm: "gastown-admin" }));
    const wrong = await request(app.callback()).get("/").set("Authorization", "Bearer nope").expect(401);
    assert.equal(wrong.headers["www-authenticate"], 'Bearer realm="gastown-admin", error="invalid_token"');
  });
});
