import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { deleteKeys, randomPrefix, testRedisUrl } from "@gastown/testkit";
import { loadPolicy } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { createRedisStore } from "../src/store/index.js";
import { newSession, startOfSecond } from "./store-contract.js";

// Issue 14: /metrics is unauthenticated and read the live-sessions gauge by walking every
// session of the last 30 days (ZRANGE plus one HMGET per session). Now one command.
test("the live-sessions gauge costs one Redis command per scrape, whatever the number of sessions", async (t) => {
  const redis = new Redis(await testRedisUrl());
  const prefix = randomPrefix("gauge");
  t.after(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const store = createRedisStore({ redis, prefix, policy: loadPolicy({}) });
  const t0 = startOfSecond();
  const sessions = 300;
  for (let i = 0; i < sessions; i += 1) await store.create(newSession(t0, { sessionId: `s_${randomBytes(9).toString("base64url")}`, agentId: `a-${i}` }));
  const sent: string[] = [];
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
    sent.push(command.name);
    return (original as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof redis.sendCommand;
  t.after(() => {
    redis.sendCommand = original;
  });
  assert.equal(await store.countLive(t0 + 1000), sessions);
  assert.deepEqual(sent, ["zcount"]);
});
