import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Koa from "koa";
import request from "supertest";
import { errorMiddleware, readJsonObject } from "../src/index.js";

function jsonApp(limit: number) {
  const app = new Koa();
  app.use(errorMiddleware({ log: { error: () => undefined } }));
  app.use(async (ctx) => {
    ctx.body = { got: await readJsonObject(ctx, limit) };
  });
  return request(app.callback());
}

describe("readJsonObject: one limit rule, one status rule", () => {
  it("reads a JSON object", async () => {
    await jsonApp(1024).post("/").send({ a: 1 }).expect(200, { got: { a: 1 } });
  });

  it("400 for malformed JSON, or a non-object", async () => {
    for (const body of ["{not json", "[1,2]", "42", "null"]) {
      const res = await jsonApp(1024).post("/").set("content-type", "application/json").send(body).expect(400);
      assert.equal(res.body.error, "invalid_request", body);
    }
  });

  it("415 for another media type, 413 over the limit (declared or streamed)", async () => {
    await jsonApp(1024).post("/").set("content-type", "text/plain").send("{}").expect(415);
    await jsonApp(1024).post("/").send("{}").expect(415);
    const big = JSON.stringify({ a: "x".repeat(2000) });
    const res = await jsonApp(1024).post("/").set("content-type", "application/json").send(big).expect(413);
    assert.equal(res.body.error, "invalid_request");
    await jsonApp(1024).post("/").set("content-type", "application/json; charset=utf-8").send(JSON.stringify({ a: "y".repeat(900) })).expect(200);
  });
});
