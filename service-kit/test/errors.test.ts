import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Koa from "koa";
import request from "supertest";
import { BodyTooLargeError, errorAnswer, errorMiddleware, httpErrorKinds, ServiceError } from "../src/index.js";

class AppError extends ServiceError {
  override readonly code: string = "ERR_APP";
}
class NotThere extends AppError {
  override readonly code = "ERR_NOT_THERE";
  override readonly status = 404;
  override readonly error = "not_found";
}
class Challenge extends AppError {
  override readonly status = 401;
  override readonly error = "invalid_client";
  override readonly headers = { "WWW-Authenticate": 'Basic realm="x"' };
}

function appThrowing(error: unknown, logged: unknown[] = []) {
  const app = new Koa();
  app.use(errorMiddleware({ log: { error: (...args: unknown[]) => void logged.push(args) } }));
  app.use(() => {
    throw error;
  });
  return request(app.callback());
}

describe("ServiceError", () => {
  it("sets name once from the class and exposes client errors only", () => {
    const error = new NotThere("no such agent");
    assert.equal(error.name, "NotThere");
    assert.equal(error.code, "ERR_NOT_THERE");
    assert.equal(error.expose, true);
    const internal = new AppError("redis exploded");
    assert.equal(internal.name, "AppError");
    assert.equal(internal.status, 500);
    assert.equal(internal.expose, false);
    assert.ok(error instanceof ServiceError && error instanceof Error);
  });

  it("an exposed error answers its status, code and description; a server error a bare 500", async () => {
    await appThrowing(new NotThere("no such agent")).get("/").expect(404, { error: "not_found", error_description: "no such agent" });
    const logged: unknown[] = [];
    const hidden = await appThrowing(new AppError("password=hunter2 in the detail"), logged).get("/").expect(500);
    assert.deepEqual(hidden.body, { error: "server_error" });
    assert.equal(logged.length, 1, "the server error is logged");
    await appThrowing(new TypeError("boom")).get("/").expect(500, { error: "server_error" });
  });

  it("sets the error's headers and no-store", async () => {
    const res = await appThrowing(new Challenge("bad client")).get("/").expect(401);
    assert.equal(res.headers["www-authenticate"], 'Basic realm="x"');
    assert.equal(res.headers["cache-control"], "no-store");
  });

  it("Koa's own exposed errors keep their status (ctx.throw)", () => {
    const koaStyle = Object.assign(new Error("Payload Too Large"), { status: 413, expose: true });
    assert.equal(errorAnswer(koaStyle).status, 413);
    assert.equal(errorAnswer(Object.assign(new Error("x"), { status: 503, expose: false })).status, 500);
    assert.equal(errorAnswer(new BodyTooLargeError("big")).status, 413);
  });

  it("an unrouted request answers {error: not_found}", async () => {
    const app = new Koa();
    app.use(errorMiddleware({ log: { error: () => undefined } }));
    await request(app.callback()).get("/nothing").expect(404, { error: "not_found" });
  });

  it("the shared HTTP kinds sit on the package's own base: instanceof it, named by the subclass, answered by their status", () => {
    const kinds = httpErrorKinds(AppError);
    class Missing extends kinds.NotFound {
      override readonly code = "ERR_MISSING";
    }
    class Busy extends kinds.Unavailable {
      override readonly code = "ERR_BUSY";
      override readonly error = "busy";
    }
    const missing = new Missing("no agent a-1");
    assert.ok(missing instanceof AppError && missing instanceof kinds.NotFound && missing instanceof ServiceError);
    assert.deepEqual([missing.name, missing.code, missing.status, missing.error, missing.expose], ["Missing", "ERR_MISSING", 404, "not_found", true]);
    assert.deepEqual(errorAnswer(missing).body, { error: "not_found", error_description: "no agent a-1" });
    assert.deepEqual(errorAnswer(new (class extends kinds.BadRequest {})("bad")).body, { error: "invalid_request", error_description: "bad" });
    assert.deepEqual([new (class extends kinds.Conflict {})("x").status, new (class extends kinds.Conflict {})("x").error], [409, "conflict"]);
    const statuses = [kinds.Unauthorized, kinds.Forbidden, kinds.TooLarge, kinds.TooManyRequests].map((Kind) => {
      const error = new (class extends Kind {})("x");
      return [error.status, error.error, error instanceof AppError];
    });
    assert.deepEqual(statuses, [
      [401, "unauthorized", true],
      [403, "forbidden", true],
      [413, "invalid_request", true],
      [429, "too_many_requests", true],
    ]);
    const busy = new Busy("try later");
    assert.deepEqual([busy.status, busy.expose, errorAnswer(busy).body], [503, false, { error: "busy" }]);
  });
});
