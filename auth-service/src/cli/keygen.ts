import { type Command, Option } from "commander";
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";
import { KEY_STATUS_MEMBER, loadSigningKeysFile } from "../keys/signing-keys.js";
import { CliError, EXIT } from "./errors.js";
import { readKeyFile, writeKeyFile } from "./key-file.js";
import { globals } from "./options.js";
import { printJson, printRecord } from "./output.js";

interface KeygenOptions {
  file: string;
  alg: "ES256" | "EdDSA";
  kid?: string;
  published?: boolean;
}

/**
 * `gastown-auth keygen --file keys.json [--published]`: a new private key into the JWK Set
 * that AUTH_SIGNING_KEYS_FILE names. A new file gets a signing key; an existing one only
 * takes a published-only key (step 1 of the rotation; `keys activate` is step 2).
 */
export function registerKeygen(program: Command): void {
  program
    .command("keygen")
    .description("generate a signing key into a JWKS file (AUTH_SIGNING_KEYS_FILE); prints its kid, never the key")
    .requiredOption("--file <path>", "the JWK Set file (created with mode 0600 when missing)")
    .addOption(new Option("--alg <alg>", "key algorithm").choices(["ES256", "EdDSA"]).default("ES256"))
    .option("--kid <kid>", "key id (default: the RFC 7638 thumbprint)")
    .option("--published", `add it published-only ("${KEY_STATUS_MEMBER}": "published"): in the JWKS, not signing yet`)
    .action(async (options: KeygenOptions, command: Command) => {
      const existing = await readKeyFile(options.file);
      if (existing && existing.keys.length > 0 && !options.published) {
        throw new CliError(`${options.file} already has keys: add the new one with --published, then "keys activate" it (rotation)`, EXIT.usage);
      }
      const { privateKey } = await generateKeyPair(options.alg, { extractable: true, crv: options.alg === "EdDSA" ? "Ed25519" : undefined });
      const jwk = await exportJWK(privateKey);
      const kid = options.kid ?? (await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) }));
      if (existing?.keys.some((key) => key.kid === kid)) throw new CliError(`kid ${kid} is already in ${options.file}`, EXIT.usage);
      const status = options.published && existing && existing.keys.length > 0 ? "published" : "active";
      const entry = { ...jwk, kid, alg: options.alg, use: "sig", ...(status === "published" ? { [KEY_STATUS_MEMBER]: "published" } : {}) };
      await writeKeyFile(options.file, { keys: [...(existing?.keys ?? []), entry] });
      await loadSigningKeysFile(options.file); // the service must accept what we wrote
      const result = { kid, alg: options.alg, status, file: options.file };
      if (globals(command).json) return printJson(result);
      printRecord(result);
    });
}
