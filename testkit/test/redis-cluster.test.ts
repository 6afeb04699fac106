import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Cluster, Redis } from "ioredis";
import { type RedisCluster, type RedisSentinelSetup, startRedisCluster, startRedisSentinel, waitFor } from "../src/index.js";

const PASSWORD = "cluster-test-password-0123456789";

let cluster: RedisCluster;
let sentinel: RedisSentinelSetup;

before(async () => {
  [cluster, sentinel] = await Promise.all([startRedisCluster({ password: PASSWORD }), startRedisSentinel({ password: PASSWORD })]);
});
after(async () => {
  await Promise.all([cluster?.stop(), sentinel?.stop()]);
});

test("the cluster serves every slot; CLUSTER FAILOVER and a killed primary hand a slot to its replica", { timeout: 120_000 }, async () => {
  const client = new Cluster(cluster.seeds.map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) })), { redisOptions: { password: PASSWORD } });
  client.on("error", () => {});
  try {
    for (const key of ["a", "b", "c", "{x}1", "{x}2"]) await client.set(key, key);
    assert.equal(client.nodes("master").length, 3);
    const before = await cluster.primaryOf("a");
    const promoted = await cluster.failover(before);
    assert.notEqual(promoted, before);
    assert.equal(await cluster.primaryOf("a"), promoted);
    await waitFor(() => client.get("a").then((v) => v === "a"), 10_000, "the key on the new primary");
    const killed = await cluster.killPrimary(promoted);
    assert.equal(await cluster.primaryOf("a"), killed);
    await waitFor(() => client.set("a", "after").then((v) => v === "OK"), 10_000, "writes after the kill");
  } finally {
    client.disconnect();
  }
});

test("sentinels follow SENTINEL FAILOVER and a killed primary", { timeout: 120_000 }, async () => {
  const first = await sentinel.primaryPort();
  const client = new Redis({ sentinels: sentinel.sentinels.map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) })), name: sentinel.masterName, password: PASSWORD });
  client.on("error", () => {});
  try {
    await client.set("k", "v");
    const second = await sentinel.failover();
    assert.notEqual(second, first);
    assert.equal(await sentinel.primaryPort(), second);
    const third = await sentinel.killPrimary();
    assert.equal(third, first);
  } finally {
    client.disconnect();
  }
});
