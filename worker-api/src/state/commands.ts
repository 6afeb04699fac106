import { defineScripts, type RedisConnection } from "@gastown/service-kit";
import type { ClientContext, Result } from "ioredis";

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    /** scripts/claim-due-2.lua */
    gastownClaimDue(due: string, claims: string, ...args: (string | number)[]): Result<string[], Context>;
    /** scripts/claim-one-2.lua */
    gastownClaimOne(due: string, claims: string, ...args: (string | number)[]): Result<[number, string | number], Context>;
    /** scripts/write-3.lua */
    gastownWriteAgent(due: string, claims: string, agent: string, ...args: (string | number)[]): Result<number, Context>;
    /** scripts/restore-2.lua */
    gastownRestoreAgent(agent: string, due: string, ...args: (string | number)[]): Result<number, Context>;
    /** scripts/mark-revoked-3.lua */
    gastownMarkRevoked(agent: string, due: string, claims: string, ...args: (string | number)[]): Result<number, Context>;
  }
}

const SCRIPTS = {
  gastownClaimDue: "claim-due-2.lua",
  gastownClaimOne: "claim-one-2.lua",
  gastownWriteAgent: "write-3.lua",
  gastownMarkRevoked: "mark-revoked-3.lua",
  gastownRestoreAgent: "restore-2.lua",
} as const;

/** Registers the state store's scripts (ioredis sends EVALSHA, loading a script on NOSCRIPT). */
export function defineAgentStateCommands(redis: RedisConnection): void {
  defineScripts(redis, new URL("./scripts/", import.meta.url), SCRIPTS);
}
