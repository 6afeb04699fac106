import { randomBytes } from "node:crypto";
import { deleteKeys, randomPrefix, testRedisUrl } from "@gastown/testkit";
import { Redis } from "ioredis";
import { MemoryAgentStateStore } from "../src/state/memory.js";
import { RedisAgentStateStore } from "../src/state/redis.js";
import { agentStateContract } from "./agent-state-contract.js";

agentStateContract("memory", async () => {
  const store = new MemoryAgentStateStore("instance-a");
  return { a: store, b: store, close: async () => {} };
});

agentStateContract("redis", async () => {
  const url = await testRedisUrl();
  const prefix = randomPrefix("state");
  // Two instances: their own connections and ids, one shared prefix.
  const [ra, rb] = [new Redis(url), new Redis(url)];
  const a = new RedisAgentStateStore(ra, prefix, `a-${randomBytes(3).toString("hex")}`);
  const b = new RedisAgentStateStore(rb, prefix, `b-${randomBytes(3).toString("hex")}`);
  return {
    a,
    b,
    async close() {
      await deleteKeys(ra, prefix);
      ra.disconnect();
      rb.disconnect();
    },
  };
});
