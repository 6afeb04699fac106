import { createInterface } from "node:readline/promises";
import { CliError, EXIT } from "./errors.js";

/**
 * Asks on the terminal; without a terminal on stdin there is nobody to ask, so the
 * answer is no (exit code 4) unless the caller passed --yes.
 */
export async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError("refusing a bulk revocation without confirmation: stdin is not a terminal; pass --yes", EXIT.notConfirmed);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") throw new CliError("not confirmed: nothing revoked", EXIT.notConfirmed);
  } finally {
    rl.close();
  }
}
