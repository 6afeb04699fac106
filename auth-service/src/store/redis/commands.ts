import { defineScripts, type RedisConnection } from "@gastown/service-kit";
import type { ClientContext, Result } from "ioredis";

/** Raw reply of `rotate-1.lua` (layout in its header; read only by redis-store.ts). */
export type RotateReply = (number | string)[];

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    /** scripts/create-1.lua */
    gastownCreateSession(sessionKey: string, ...args: (string | number)[]): Result<number, Context>;
    /** scripts/rotate-1.lua */
    gastownRotateSession(sessionKey: string, ...args: (string | number)[]): Result<RotateReply, Context>;
    /** scripts/revoke-1.lua */
    gastownRevokeSession(sessionKey: string, ...args: (string | number)[]): Result<[number, number, string?, string?, string?], Context>;
  }
}

const SCRIPTS = {
  gastownCreateSession: "create-1.lua",
  gastownRotateSession: "rotate-1.lua",
  gastownRevokeSession: "revoke-1.lua",
} as const;

/**
 * Registers the store's Lua scripts on a client (ioredis sends EVALSHA and loads the script
 * on NOSCRIPT). Each script touches only the session's own key, so it runs on Redis Cluster.
 */
export function defineSessionCommands(redis: RedisConnection): void {
  defineScripts(redis, new URL("./scripts/", import.meta.url), SCRIPTS);
}
