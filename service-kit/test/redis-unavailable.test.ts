import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RedisServer, startRedisServer } from "@gastown/testkit";
import { closeRedis, createRedisConnection, errorAnswer, isRedisUnavailable, type RedisConnection, RedisNotSafeNowError, standaloneRedis } from "../src/index.js";

/** The error a command rejects with (fails the test if it succeeds). */
async function rejection(command: Promise<unknown>): Promise<unknown> {
  try {
    await command;
  } catch (error) {
    return error;
  }
  assert.fail("the command succeeded");
}

describe("a Redis that cannot serve answers 503 with Retry-After, a Redis bug stays a 500", () => {
  let server: RedisServer;
  let redis: RedisConnection;
  before(async () => {
    server = await startRedisServer();
    redis = createRedisConnection(standaloneRedis(server.url), { name: "gt:kit-unavailable-test", connectTimeoutMs: 500 });
    redis.on("error", () => {}); // the reconnect attempts after the kill
    await redis.ping();
  });
  after(async () => {
    await closeRedis(redis);
    await server.kill(true);
  });

  it("a script error is a bug: 500 server_error", async () => {
    const error = await rejection(redis.eval("return redis.call('no-such-command')", 0));
    assert.equal(isRedisUnavailable(error), false);
    assert.deepEqual(errorAnswer(error), { status: 500, headers: {}, body: { error: "server_error" }, exposed: false });
  });

  // Each refusal is set up on the server, shown on a write, then undone.
  const refusals = [
    { what: "the memory limit under noeviction (OOM)", reply: /OOM/, on: [["maxmemory-policy", "noeviction"], ["maxmemory", "1"]], off: [["maxmemory", "0"]] },
    { what: "too few replicas for min-replicas-to-write (NOREPLICAS)", reply: /NOREPLICAS/, on: [["min-replicas-to-write", "1"]], off: [["min-replicas-to-write", "0"]] },
  ];
  for (const { what, reply, on, off } of refusals) {
    it(`${what} is 503`, async () => {
      for (const [name, value] of on) await redis.config("SET", name!, value!);
      try {
        const error = await rejection(redis.set("gt:kit-unavailable:k", "v"));
        assert.match(String(error), reply);
        assert.deepEqual(errorAnswer(error), { status: 503, headers: { "Retry-After": "1" }, body: { error: "temporarily_unavailable" }, exposed: false });
      } finally {
        for (const [name, value] of off) await redis.config("SET", name!, value!);
      }
    });
  }

  it("a store's own finding that Redis cannot serve safely now (RedisNotSafeNowError, or in a cause) is 503", () => {
    const finding = new RedisNotSafeNowError("0 of 1 replicas acknowledged the write");
    assert.equal(errorAnswer(finding).status, 503);
    const wrapped = new Error("rotation of session s", { cause: finding });
    assert.deepEqual(errorAnswer(wrapped), { status: 503, headers: { "Retry-After": "1" }, body: { error: "temporarily_unavailable" }, exposed: false });
  });

  it("a Redis that is gone is 503, never its message", async () => {
    await server.kill(true);
    const error = await rejection(redis.set("gt:kit-unavailable:k", "v"));
    assert.equal(isRedisUnavailable(error), true, String(error));
    const answer = errorAnswer(error);
    assert.equal(answer.status, 503);
    assert.deepEqual(answer.body, { error: "temporarily_unavailable" });
    assert.equal(answer.headers["Retry-After"], "1");
  });

  it("a store's error caused by an unavailable Redis is 503 too; a store's own error is not", async () => {
    const gone = await rejection(redis.get("gt:kit-unavailable:k"));
    const wrapped = new Error("index writes failed for session s", { cause: gone });
    assert.equal(errorAnswer(wrapped).status, 503);
    assert.equal(errorAnswer(new Error("session s: missing fields")).status, 500);
  });

  it("errors that are not Redis's stay 500", () => {
    for (const error of [new Error("boom"), new TypeError("x is undefined"), "a string"]) {
      assert.equal(isRedisUnavailable(error), false);
      assert.equal(errorAnswer(error).status, 500);
    }
  });
});
