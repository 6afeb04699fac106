import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type RedisCluster, type RedisSentinelSetup, startRedisCluster, startRedisSentinel, startRedisServer, waitFor } from "@gastown/testkit";
import { Redis } from "ioredis";
import { closeRedis, createRedisConnection, createRedisSubscriber, type RedisConnection, redisSettings } from "../src/index.js";

const PASSWORD = "kit-redis-test-password-0123456789";
let cluster: RedisCluster;
let sentinel: RedisSentinelSetup;

before(async () => {
  [cluster, sentinel] = await Promise.all([startRedisCluster({ password: PASSWORD }), startRedisSentinel({ password: PASSWORD })]);
});
after(async () => {
  await Promise.all([cluster?.stop(), sentinel?.stop()]);
});

/** A subscriber on `channel` that collects what arrives. */
async function listen(subscriber: RedisConnection, channel: string): Promise<string[]> {
  const received: string[] = [];
  subscriber.on("message", (from: string, message: string) => from === channel && received.push(message));
  await subscriber.subscribe(channel);
  return received;
}

/** Keeps writing until a write succeeds; answers how many failed first. */
async function writeUntilOk(redis: RedisConnection, key: string): Promise<number> {
  let failed = 0;
  await waitFor(async () => {
    try {
      return (await redis.set(key, "after")) === "OK";
    } catch {
      failed += 1;
      return false;
    }
  }, 20_000, `a write of ${key}`, 100);
  return failed;
}

test("REDIS_URL: its database index is honoured and REDIS_PASSWORD fills in the URL's missing password", { timeout: 120_000 }, async () => {
  const server = await startRedisServer();
  const setup = new Redis(server.url);
  await setup.config("SET", "requirepass", PASSWORD);
  setup.disconnect();
  const redis = createRedisConnection(redisSettings({ REDIS_URL: `${server.url}/5`, REDIS_PASSWORD: PASSWORD })!, { name: "kit-test" });
  const check = new Redis(server.url, { password: PASSWORD });
  try {
    await redis.set("in-db-5", "1");
    assert.equal(await check.exists("in-db-5"), 0);
    await check.select(5);
    assert.equal(await check.get("in-db-5"), "1");
    assert.match(String(await check.call("CLIENT", "LIST")), /name=kit-test/);
  } finally {
    await closeRedis(redis);
    check.disconnect();
    await server.kill();
  }
});

test("REDIS_CLUSTER_NODES: every slot answers, PUBLISH reaches a subscriber on any node, writes follow CLUSTER FAILOVER and a killed primary", { timeout: 120_000 }, async () => {
  const settings = redisSettings({ REDIS_CLUSTER_NODES: cluster.seeds.join(","), REDIS_PASSWORD: PASSWORD })!;
  const redis = createRedisConnection(settings, { name: "kit-cluster" });
  const subscriber = createRedisSubscriber(settings, { name: "kit-cluster-sub" });
  for (const c of [redis, subscriber]) c.on("error", () => {});
  try {
    for (let i = 0; i < 50; i += 1) await redis.set(`k${i}`, String(i));
    assert.equal(await redis.get("k49"), "49");
    const received = await listen(subscriber, "gt:kit:revocations");
    await redis.publish("gt:kit:revocations", "one");
    await waitFor(() => received.includes("one"), 5_000, "the first message");

    const primary = await cluster.primaryOf("k1");
    const promoted = await cluster.failover(primary);
    console.log(`cluster failover: ${await writeUntilOk(redis, "k1")} write(s) failed before the new primary answered`);
    assert.equal(await cluster.primaryOf("k1"), promoted);

    await cluster.killPrimary(promoted);
    console.log(`killed primary: ${await writeUntilOk(redis, "k1")} write(s) failed before the replica answered`);
    assert.equal(await redis.get("k1"), "after");
    await waitFor(async () => {
      await redis.publish("gt:kit:revocations", "two");
      return received.includes("two");
    }, 10_000, "a message after the kill (the subscriber moves to a live node)", 200);
  } finally {
    subscriber.disconnect();
    redis.disconnect();
  }
});

test("REDIS_SENTINELS: the connection and the subscriber follow SENTINEL FAILOVER by themselves", { timeout: 120_000 }, async () => {
  const settings = redisSettings({ REDIS_SENTINELS: sentinel.sentinels.join(","), REDIS_PASSWORD: PASSWORD })!;
  const redis = createRedisConnection(settings, { name: "kit-sentinel" });
  const subscriber = createRedisSubscriber(settings, { name: "kit-sentinel-sub" });
  for (const c of [redis, subscriber]) c.on("error", () => {});
  try {
    await redis.set("s", "before");
    const received = await listen(subscriber, "gt:kit:revocations");
    const next = await sentinel.failover();
    console.log(`sentinel failover: ${await writeUntilOk(redis, "s")} write(s) failed before the new primary answered`);
    const direct = new Redis({ host: "127.0.0.1", port: next, password: PASSWORD });
    assert.equal(await direct.get("s"), "after", "the write went to the new primary");
    direct.disconnect();
    await waitFor(async () => {
      await redis.publish("gt:kit:revocations", "after-failover");
      return received.includes("after-failover");
    }, 10_000, "a message after the failover", 200);
  } finally {
    subscriber.disconnect();
    redis.disconnect();
  }
});
