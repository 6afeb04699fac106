import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import { deleteKeys, randomPrefix, startRedisServer, testRedisUrl } from "../src/index.js";

test("testRedisUrl answers PING and prefixes are unique", async () => {
  const redis = new Redis(await testRedisUrl());
  try {
    assert.equal(await redis.ping(), "PONG");
    const prefix = randomPrefix();
    assert.notEqual(prefix, randomPrefix());
    await redis.set(`${prefix}a`, "1");
    await deleteKeys(redis, prefix);
    assert.equal(await redis.exists(`${prefix}a`), 0);
  } finally {
    redis.disconnect();
  }
});

test("a throwaway redis-server starts, stops and restarts empty", async () => {
  const server = await startRedisServer();
  const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.set("k", "v");
    await server.restart();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await redis.get("k"), null);
  } finally {
    redis.disconnect();
    await server.kill();
  }
});

test("with appendonly, the data survives a stop and a start on the same port", async () => {
  const server = await startRedisServer({ appendonly: true });
  const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.set("k", "v");
    await server.kill();
    await server.restart();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await redis.get("k"), "v");
  } finally {
    redis.disconnect();
    await server.kill();
  }
});
