import type { Command } from "commander";
import { KEY_STATUS_MEMBER, loadSigningKeysFile } from "../keys/signing-keys.js";
import { CliError, EXIT } from "./errors.js";
import { type JwkSet, readKeyFile, writeKeyFile } from "./key-file.js";
import { globals } from "./options.js";
import { printJson, printTable } from "./output.js";

async function load(file: string): Promise<JwkSet> {
  const set = await readKeyFile(file);
  if (!set) throw new CliError(`${file} does not exist`, EXIT.notFound);
  return set;
}

/** The file's key set and its key `kid` (exit "not found" when either is missing). */
async function loadKey(file: string, kid: string): Promise<{ set: JwkSet; target: JwkSet["keys"][number] }> {
  const set = await load(file);
  const target = set.keys.find((key) => key.kid === kid);
  if (!target) throw new CliError(`no key ${kid} in ${file}`, EXIT.notFound);
  return { set, target };
}

function status(key: Record<string, unknown>): string {
  return key[KEY_STATUS_MEMBER] === "published" ? "published" : "active";
}

async function save(command: Command, file: string, set: JwkSet): Promise<void> {
  await writeKeyFile(file, set);
  const loaded = await loadSigningKeysFile(file);
  const rows = set.keys.map((key) => ({ kid: String(key.kid), status: status(key), signs: key.kid === loaded.current.kid }));
  if (globals(command).json) return printJson({ file, keys: rows });
  printTable(["kid", "status", "signs"], rows.map((r) => [r.kid, r.status, r.signs ? "yes" : "no"]));
  process.stdout.write("reload the auth-service (SIGHUP) to apply\n");
}

/** A `keys` subcommand that changes one key of the file: `change` answers the set to write. */
function keyCommand(keys: Command, name: string, description: string, change: (kid: string, set: JwkSet, target: JwkSet["keys"][number]) => JwkSet): void {
  keys
    .command(name)
    .description(description)
    .argument("<kid>", "the key id (one that begins with - goes after --)")
    .requiredOption("--file <path>", "the JWK Set file")
    .action(async (kid: string, options: { file: string }, command: Command) => {
      const { set, target } = await loadKey(options.file, kid);
      await save(command, options.file, change(kid, set, target));
    });
}

/** `gastown-auth keys list|activate|remove --file keys.json`: steps 2 and 3 of a key rotation. */
export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("inspect and rotate the keys of a JWKS file (then SIGHUP the auth-service)");
  keys
    .command("list")
    .description("list the keys of the file and which one signs")
    .requiredOption("--file <path>", "the JWK Set file")
    .action(async (options: { file: string }, command: Command) => {
      const loaded = await loadSigningKeysFile(options.file).catch((error: Error) => {
        throw new CliError(error.message, EXIT.usage);
      });
      const rows = loaded.all.map((key) => ({ kid: key.kid, alg: key.alg, status: key.signs ? "active" : "published", signs: key.kid === loaded.current.kid }));
      if (globals(command).json) return printJson({ file: options.file, keys: rows });
      printTable(["kid", "alg", "status", "signs"], rows.map((r) => [r.kid, r.alg, r.status, r.signs ? "yes" : "no"]));
    });
  keyCommand(keys, "activate", "make <kid> the signing key (first, active); every other key becomes published-only", (kid, set, target) => {
    if (typeof target.d !== "string") throw new CliError(`key ${kid} has no private part: it cannot sign`, EXIT.usage);
    const { [KEY_STATUS_MEMBER]: _drop, ...active } = target;
    const others = set.keys.filter((key) => key !== target).map((key) => ({ ...key, [KEY_STATUS_MEMBER]: "published" }));
    return { keys: [active, ...others] };
  });
  keyCommand(keys, "remove", "remove <kid> (after the longest access-token lifetime since it last signed)", (kid, set, target) => {
    if (status(target) !== "published") throw new CliError(`key ${kid} may sign: activate another key first`, EXIT.usage);
    return { keys: set.keys.filter((key) => key !== target) };
  });
}
