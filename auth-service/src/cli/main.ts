#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { AuthConfigError } from "../errors.js";
import { registerAudit } from "./audit.js";
import { registerDispatch } from "./dispatch.js";
import { CliError, EXIT, EXIT_CODES_HELP } from "./errors.js";
import { registerKeygen } from "./keygen.js";
import { registerKeys } from "./keys.js";
import { registerSecret } from "./secret.js";
import { refuseSecretArguments } from "./secrets.js";
import { registerList } from "./session-list.js";
import { registerRevoke } from "./session-revoke.js";
import { registerShow } from "./session-show.js";

/** `gastown-auth`: the auth-service admin CLI (the bin of @gastown/auth-service). */
export function buildProgram(): Command {
  const program = new Command("gastown-auth")
    .description("Gastown auth-service administration: sessions, revocations, audit trail, keys and secrets")
    .option("--url <url>", "auth-service base URL (default: AUTH_ISSUER, else http://127.0.0.1:4000)")
    .option("--token-file <path>", "read the admin token from this file, - for standard input (default: AUTH_ADMIN_TOKEN)")
    .option("--json", "machine-readable JSON on stdout")
    .showHelpAfterError("(run with --help for usage and exit codes)")
    .exitOverride()
    .addHelpText("after", EXIT_CODES_HELP);
  for (const register of [registerList, registerShow, registerRevoke, registerAudit, registerKeygen, registerKeys, registerSecret, registerDispatch]) register(program);
  for (const command of program.commands) command.addHelpText("after", EXIT_CODES_HELP);
  return program;
}

/** Runs the CLI; answers the exit code (errors are one line on stderr). */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    refuseSecretArguments(argv);
    await buildProgram().parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message (or the help/version text).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`gastown-auth: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof AuthConfigError) {
      process.stderr.write(`gastown-auth: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`gastown-auth: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}

process.exitCode = await run(process.argv.slice(2));
