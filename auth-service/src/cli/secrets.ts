import { readFile } from "node:fs/promises";
import { CliError, EXIT } from "./errors.js";

/**
 * Options that would put a secret on the command line, where `ps`, /proc/<pid>/cmdline and
 * shell history show it to others: refused, with where the secret goes instead.
 */
const SECRET_ARGUMENTS: Readonly<Record<string, string>> = {
  "--token": "set AUTH_ADMIN_TOKEN, or pass --token-file <path> (--token-file - reads standard input)",
  "--client-secret": "set WORKER_CLIENT_SECRET, or pass --client-secret-file <path> (--client-secret-file - reads standard input)",
};

/** Throws (exit code 2) when `argv` carries a secret as an argument; never echoes its value. */
export function refuseSecretArguments(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === "--") return; // what follows is not an option
    const name = arg.split("=", 1)[0] ?? "";
    const instead = SECRET_ARGUMENTS[name];
    if (instead !== undefined) throw new CliError(`${name} is not accepted: a secret on the command line is visible in ps and shell history; ${instead}`, EXIT.usage);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A secret from a file (`-`: standard input), without its surrounding whitespace; `what` names it in errors. */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = path === "-" ? await readStdin() : await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read the ${what} from ${path === "-" ? "standard input" : path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, EXIT.usage);
  }
  const secret = text.trim();
  if (!secret) throw new CliError(`the ${what} ${path === "-" ? "on standard input" : `file ${path}`} is empty`, EXIT.usage);
  return secret;
}
