import { createPublicKey, KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type Algorithm, DEFAULT_ALGORITHM } from "@gastown/token-policy";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { AuthConfigError } from "../errors.js";

/** One signing key: the private half for `node:crypto`'s sign, the public JWK to publish. */
export interface SigningKey {
  kid: string;
  alg: Algorithm;
  privateKey: KeyObject;
  publicJwk: JWK;
}

/** The first key signs; every key is published and accepted (rotation). */
export interface SigningKeys {
  current: SigningKey;
  all: readonly SigningKey[];
}

/** RFC 7517 §5 JWK Set of the public keys only. */
export function publicJwks(keys: SigningKeys): { keys: JWK[] } {
  return { keys: keys.all.map((key) => ({ ...key.publicJwk })) };
}

function algorithmOf(jwk: JWK, where: string): Algorithm {
  let alg: Algorithm;
  if (jwk.kty === "EC" && jwk.crv === "P-256") alg = "ES256";
  else if (jwk.kty === "OKP" && jwk.crv === "Ed25519") alg = "EdDSA";
  else throw new AuthConfigError(`${where}: only EC P-256 (ES256) and OKP Ed25519 (EdDSA) keys are supported`);
  if (jwk.alg !== undefined && jwk.alg !== alg && !(alg === "EdDSA" && jwk.alg === "Ed25519")) {
    throw new AuthConfigError(`${where}: "alg" ${JSON.stringify(jwk.alg)} does not match the key type (${alg})`);
  }
  return alg;
}

async function toSigningKey(jwk: JWK, where: string): Promise<SigningKey> {
  if (typeof jwk.d !== "string") throw new AuthConfigError(`${where}: the key has no private part ("d")`);
  const alg = algorithmOf(jwk, where);
  let privateKey: KeyObject;
  try {
    const imported = await importJWK({ ...jwk, alg: undefined }, alg, { extractable: true });
    privateKey = imported instanceof Uint8Array ? KeyObject.from(imported as never) : KeyObject.from(imported);
  } catch (cause) {
    throw new AuthConfigError(`${where}: not a usable private key`, { cause });
  }
  const exported = await exportJWK(createPublicKey(privateKey));
  const publicJwk: JWK = { kty: exported.kty, crv: exported.crv, x: exported.x };
  if (exported.y !== undefined) publicJwk.y = exported.y;
  const kid = typeof jwk.kid === "string" && jwk.kid.length > 0 ? jwk.kid : await calculateJwkThumbprint(publicJwk);
  return { kid, alg, privateKey, publicJwk: { ...publicJwk, kid, alg, use: "sig" } };
}

/** Reads `AUTH_SIGNING_KEYS_FILE`: a JWK Set with private keys; the first one signs. */
export async function loadSigningKeysFile(path: string): Promise<SigningKeys> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new AuthConfigError(`AUTH_SIGNING_KEYS_FILE: cannot read a JSON JWK Set from ${path}`, { cause });
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new AuthConfigError(`AUTH_SIGNING_KEYS_FILE: ${path} must hold {"keys": [...]} with at least one key`);
  }
  const all: SigningKey[] = [];
  for (const [index, jwk] of keys.entries()) {
    if (typeof jwk !== "object" || jwk === null) throw new AuthConfigError(`AUTH_SIGNING_KEYS_FILE: key ${index} is not an object`);
    const key = await toSigningKey(jwk as JWK, `AUTH_SIGNING_KEYS_FILE key ${index}`);
    if (all.some((other) => other.kid === key.kid)) throw new AuthConfigError(`AUTH_SIGNING_KEYS_FILE: duplicate kid ${JSON.stringify(key.kid)}`);
    all.push(key);
  }
  return { current: all[0]!, all };
}

/** Development only: a fresh key pair per start (tokens do not survive a restart). */
export async function generateSigningKeys(alg: Algorithm = DEFAULT_ALGORITHM): Promise<SigningKeys> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === "EdDSA" ? "Ed25519" : undefined });
  const key = await toSigningKey(await exportJWK(privateKey), "generated key");
  return { current: key, all: [key] };
}
