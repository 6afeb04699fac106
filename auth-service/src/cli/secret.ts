import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { countArgument, globals } from "./options.js";
import { printJson } from "./output.js";

/** `gastown-auth secret`: a new AUTH_TOKEN_SECRET (256 random bits, base64url: 43 characters). */
export function registerSecret(program: Command): void {
  program
    .command("secret")
    .description("generate an AUTH_TOKEN_SECRET (rotation: put it in front, AUTH_TOKEN_SECRET=<new>,<old>)")
    .option("--bytes <n>", "random bytes (24-64, default 32)", countArgument(64), 32)
    .action(async (options: { bytes: number }, command: Command) => {
      const secret = randomBytes(Math.max(24, options.bytes)).toString("base64url");
      if (globals(command).json) return printJson({ secret });
      process.stdout.write(`${secret}\n`);
    });
}
