import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import type { JWK } from "jose";
import { CliError, EXIT } from "./errors.js";

export type JwkSet = { keys: (JWK & Record<string, unknown>)[] };

/** Reads a JWK Set file; `undefined` when it does not exist. */
export async function readKeyFile(path: string): Promise<JwkSet | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    const parsed = JSON.parse(text) as JwkSet;
    if (!Array.isArray(parsed?.keys)) throw new Error("no keys array");
    return parsed;
  } catch {
    throw new CliError(`${path} is not a JWK Set ({"keys": [...]})`, EXIT.usage);
  }
}

/** Replaces the file atomically (temporary file + rename), mode 0600: it holds private keys. */
export async function writeKeyFile(path: string, set: JwkSet): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify(set, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
