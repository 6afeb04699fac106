import { createPublicKey, KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type Algorithm, DEFAULT_ALGORITHM } from "@gastown/token-policy";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { AuthConfigError } from "../errors.js";

/** A key that is published in the JWKS and accepted for verification. */
export interface PublishedKey {
  kid: string;
  alg: Algorithm;
  publicJwk: JWK;
  /** False for a key marked published-only (`"gastown_status": "published"`). */
  signs: boolean;
}

/** One signing key: the private half for `node:crypto`'s sign, the public JWK to publish. */
export interface SigningKey extends PublishedKey {
  privateKey: KeyObject;
}

/**
 * The first key that is not published-only signs; every key is published and accepted
 * (rotation: publish a new key first, sign with it later, drop the old one last).
 */
export interface SigningKeys {
  readonly current: SigningKey;
  readonly all: readonly PublishedKey[];
}

/**
 * Gastown's JWK member marking a key of AUTH_SIGNING_KEYS_FILE as published-only: it is
 * in the JWKS and verifies, but never signs (`"gastown_status": "published"`). Absent (or
 * `"active"`) means the key may sign. Never published itself.
 */
export const KEY_STATUS_MEMBER = "gastown_status";
export type KeyStatus = "active" | "published";

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

function statusOf(jwk: JWK, where: string): KeyStatus {
  const status = (jwk as Record<string, unknown>)[KEY_STATUS_MEMBER];
  if (status === undefined || status === "active") return "active";
  if (status === "published") return "published";
  throw new AuthConfigError(`${where}: "${KEY_STATUS_MEMBER}" must be "active" or "published"`);
}

async function importKey(jwk: JWK, alg: Algorithm, where: string): Promise<KeyObject> {
  const { [KEY_STATUS_MEMBER]: _status, ...members } = jwk as JWK & Record<string, unknown>;
  try {
    const imported = await importJWK({ ...members, alg: undefined, use: undefined, key_ops: undefined }, alg, { extractable: true });
    return imported instanceof Uint8Array ? KeyObject.from(imported as never) : KeyObject.from(imported);
  } catch (cause) {
    throw new AuthConfigError(`${where}: not a usable ${typeof jwk.d === "string" ? "private" : "public"} key`, { cause });
  }
}

/** A published-only key may come without its private part; a signing key needs it. */
async function toKey(jwk: JWK, where: string): Promise<SigningKey | PublishedKey> {
  const status = statusOf(jwk, where);
  if (typeof jwk.d !== "string" && status !== "published") throw new AuthConfigError(`${where}: the key has no private part ("d")`);
  const alg = algorithmOf(jwk, where);
  const key = await importKey(jwk, alg, where);
  const exported = await exportJWK(key.type === "private" ? createPublicKey(key) : key);
  const publicJwk: JWK = { kty: exported.kty, crv: exported.crv, x: exported.x };
  if (exported.y !== undefined) publicJwk.y = exported.y;
  const kid = typeof jwk.kid === "string" && jwk.kid.length > 0 ? jwk.kid : await calculateJwkThumbprint(publicJwk);
  const published: PublishedKey = { kid, alg, publicJwk: { ...publicJwk, kid, alg, use: "sig" }, signs: status === "active" };
  return key.type === "private" ? { ...published, privateKey: key } : published;
}

async function toSigningKey(jwk: JWK, where: string): Promise<SigningKey> {
  const key = await toKey(jwk, where);
  if (!("privateKey" in key)) throw new AuthConfigError(`${where}: the key has no private part ("d")`);
  return key;
}

/**
 * Reads `AUTH_SIGNING_KEYS_FILE`: a JWK Set with private keys; the first key not marked
 * published-only signs, every key is published. A published-only key may be public only.
 */
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
  const all: PublishedKey[] = [];
  for (const [index, jwk] of keys.entries()) {
    if (typeof jwk !== "object" || jwk === null) throw new AuthConfigError(`AUTH_SIGNING_KEYS_FILE: key ${index} is not an object`);
    const key = await toKey(jwk as JWK, `AUTH_SIGNING_KEYS_FILE key ${index}`);
    if (all.some((other) => other.kid === key.kid)) throw new AuthConfigError(`AUTH_SIGNING_KEYS_FILE: duplicate kid ${JSON.stringify(key.kid)}`);
    all.push(key);
  }
  const current = all.find((key): key is SigningKey => key.signs && "privateKey" in key);
  if (!current) throw new AuthConfigError(`AUTH_SIGNING_KEYS_FILE: ${path} has no signing key (every key is marked "${KEY_STATUS_MEMBER}": "published")`);
  return { current, all };
}

/** Development only: a fresh key pair per start (tokens do not survive a restart). */
export async function generateSigningKeys(alg: Algorithm = DEFAULT_ALGORITHM): Promise<SigningKeys> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === "EdDSA" ? "Ed25519" : undefined });
  const key = await toSigningKey(await exportJWK(privateKey), "generated key");
  return { current: key, all: [key] };
}
