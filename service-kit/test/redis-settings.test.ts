import assert from "node:assert/strict";
import { test } from "node:test";
import { describeRedis, RedisSettingsError, redisSettings } from "../src/index.js";

test("no Redis setting is the in-memory mode", () => {
  assert.equal(redisSettings({}), null);
  assert.equal(redisSettings({ REDIS_URL: "  " }), null);
});

test("each mode is read with its credentials", () => {
  assert.deepEqual(redisSettings({ REDIS_URL: "redis://127.0.0.1:6379/3", REDIS_PASSWORD: "pw" }), { mode: "standalone", url: "redis://127.0.0.1:6379/3", auth: { username: undefined, password: "pw", tls: false } });
  assert.deepEqual(redisSettings({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis-1.redis:7001,[::1]:7002", REDIS_USERNAME: "auth", REDIS_PASSWORD: "pw", REDIS_TLS: "1" }), {
    mode: "cluster",
    nodes: [{ host: "10.0.0.1", port: 7000 }, { host: "redis-1.redis", port: 7001 }, { host: "::1", port: 7002 }],
    auth: { username: "auth", password: "pw", tls: true },
  });
  assert.deepEqual(redisSettings({ REDIS_SENTINELS: "s1:26379,s2:26379" }), { mode: "sentinel", sentinels: [{ host: "s1", port: 26379 }, { host: "s2", port: 26379 }], masterName: "mymaster", auth: { username: undefined, password: undefined, tls: false } });
  const named = redisSettings({ REDIS_SENTINELS: "s1:26379", REDIS_SENTINEL_MASTER: "gastown" });
  assert.equal(named?.mode === "sentinel" && named.masterName, "gastown");
});

const REFUSED: [string, NodeJS.ProcessEnv, RegExp][] = [
  ["two modes", { REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "a:7000" }, /only one of .*REDIS_URL and REDIS_CLUSTER_NODES/],
  ["three modes", { REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "a:7000", REDIS_SENTINELS: "a:26379" }, /only one of/],
  ["cluster and sentinel", { REDIS_CLUSTER_NODES: "a:7000", REDIS_SENTINELS: "a:26379" }, /REDIS_CLUSTER_NODES and REDIS_SENTINELS/],
  ["an entry without port", { REDIS_CLUSTER_NODES: "a:7000,b" }, /REDIS_CLUSTER_NODES .*"b" is not one/],
  ["an empty entry", { REDIS_CLUSTER_NODES: "a:7000,,b:7001" }, /"" is not one/],
  ["a port out of range", { REDIS_SENTINELS: "a:70000" }, /REDIS_SENTINELS .*"a:70000"/],
  ["a URL in the list", { REDIS_SENTINELS: "redis://a:26379" }, /REDIS_SENTINELS/],
  ["a bare IPv6 address", { REDIS_CLUSTER_NODES: "::1:7000" }, /REDIS_CLUSTER_NODES/],
  ["a master name without sentinels", { REDIS_URL: "redis://a:6379", REDIS_SENTINEL_MASTER: "m" }, /REDIS_SENTINEL_MASTER is set without REDIS_SENTINELS/],
  ["a bad master name", { REDIS_SENTINELS: "a:26379", REDIS_SENTINEL_MASTER: "m m" }, /REDIS_SENTINEL_MASTER must be/],
  ["a password without a mode", { REDIS_PASSWORD: "pw" }, /REDIS_PASSWORD set without/],
  ["REDIS_TLS not 0/1", { REDIS_CLUSTER_NODES: "a:7000", REDIS_TLS: "yes" }, /REDIS_TLS must be 1 or 0/],
  ["REDIS_TLS with redis://", { REDIS_URL: "redis://a:6379", REDIS_TLS: "1" }, /use rediss:\/\//],
  ["an http URL", { REDIS_URL: "http://a:6379" }, /redis:\/\/ or rediss:\/\//],
  ["not a URL", { REDIS_URL: "a:6379:x" }, /REDIS_URL must be/],
  ["a path that is not a db index", { REDIS_URL: "redis://a:6379/x" }, /database index/],
];

for (const [what, env, message] of REFUSED) {
  test(`refused at start: ${what}`, () => {
    assert.throws(() => redisSettings(env), (error: unknown) => error instanceof RedisSettingsError && error.code === "ERR_REDIS_SETTINGS" && message.test(error.message));
  });
}

test("descriptions never show a password", () => {
  const standalone = redisSettings({ REDIS_URL: "redis://user:secret-pw@10.0.0.1:6379/2" })!;
  assert.equal(describeRedis(standalone), "standalone redis://user:***@10.0.0.1:6379/2");
  const cluster = redisSettings({ REDIS_CLUSTER_NODES: "a:7000,[::1]:7001", REDIS_PASSWORD: "secret-pw" })!;
  assert.equal(describeRedis(cluster), "cluster a:7000,[::1]:7001");
  assert.doesNotMatch(describeRedis(redisSettings({ REDIS_SENTINELS: "s:1", REDIS_PASSWORD: "secret-pw" })!), /secret/);
});
