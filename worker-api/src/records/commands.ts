import { readFileSync } from "node:fs";
import type { RedisConnection } from "@gastown/service-kit";
import type { ClientContext, Result } from "ioredis";

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    /** scripts/append-record-4.lua: `[0, 0]` stored, `[1, retryMs]` rate, `[2, retryMs]` quota. */
    gastownAppendRecord(meta: string, events: string, records: string, limits: string, ...args: (string | number)[]): Result<[number, number], Context>;
  }
}

/** Registers the records script (the build copies `*.lua` into dist beside this module). */
export function defineRecordCommands(redis: RedisConnection): void {
  const lua = readFileSync(new URL("./scripts/append-record-4.lua", import.meta.url), "utf8");
  redis.defineCommand("gastownAppendRecord", { lua, numberOfKeys: 4 });
}
