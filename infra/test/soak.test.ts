import { test } from "node:test";
import { standaloneRedis } from "@gastown/service-kit";
import { testRedisUrl } from "@gastown/testkit";
import { runSoak } from "./harness/soak.js";

test("Mayor soak: four agents call back continuously across 100+ access-token lifetimes and several absolute session lifetimes", { timeout: 240_000 }, async () => {
  await runSoak({ mode: "standalone", redis: standaloneRedis(await testRedisUrl()), soakMs: 106_000, minLifetimes: 100 });
});
