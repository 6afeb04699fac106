import { sign } from "node:crypto";
import { ACCESS_TOKEN_TYPE, type Role, type TokenPolicy } from "@gastown/token-policy";
import type { SigningKey } from "../keys/signing-keys.js";
import { randomId } from "./random-ids.js";

/** What the grants know about the token to mint. */
export interface AccessTokenInput {
  sessionId: string;
  agentId: string;
  rigId: string | null;
  townId: string;
  userId: string;
  role: Role;
  clientId: string;
  scope: string;
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds, from the store (already capped at the session's end). */
  expiresAt: number;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** The encoded protected header depends on the key only: computed once per key. */
const headerSegments = new WeakMap<SigningKey, string>();

function headerSegment(key: SigningKey): string {
  let segment = headerSegments.get(key);
  if (segment === undefined) {
    segment = base64url({ alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid });
    headerSegments.set(key, segment);
  }
  return segment;
}

/** `{"iss":…,"aud":…,` depends on the policy only: encoded once per policy object. */
const claimPrefixes = new WeakMap<TokenPolicy, string>();

function claimPrefix(policy: TokenPolicy): string {
  let prefix = claimPrefixes.get(policy);
  if (prefix === undefined) {
    prefix = `{"iss":${JSON.stringify(policy.issuer)},"aud":${JSON.stringify(policy.audience)},`;
    claimPrefixes.set(policy, prefix);
  }
  return prefix;
}

/**
 * The RFC 9068 claims set as JSON text, written directly (no intermediate object; every
 * string goes through JSON.stringify, so it is escaped exactly as before). Same members,
 * same order as `AccessTokenClaims`: iss, aud, sub, client_id, iat, exp, jti, scope, sid,
 * agent_id, rig_id (only with a rig), town_id, user_id, role.
 */
export function accessTokenClaimsJson(input: AccessTokenInput, policy: TokenPolicy, jti: string): string {
  const agent = JSON.stringify(input.agentId);
  const rig = input.rigId !== null ? `,"rig_id":${JSON.stringify(input.rigId)}` : "";
  return `${claimPrefix(policy)}"sub":${agent},"client_id":${JSON.stringify(input.clientId)},"iat":${input.issuedAt},"exp":${input.expiresAt},"jti":${JSON.stringify(jti)},"scope":${JSON.stringify(input.scope)},"sid":${JSON.stringify(input.sessionId)},"agent_id":${agent}${rig},"town_id":${JSON.stringify(input.townId)},"user_id":${JSON.stringify(input.userId)},"role":${JSON.stringify(input.role)}}`;
}

/**
 * Mints an RFC 9068 access token. Signs with node:crypto's synchronous `sign`
 * (ES256 as raw r||s per RFC 7518 §3.4, or Ed25519): several times faster than
 * WebCrypto on the refresh hot path (TOOLCHAIN.md). The claims are encoded once:
 * JSON text -> base64url; the signing input's bytes are its latin1 (= ASCII) text.
 */
export function signAccessToken(input: AccessTokenInput, key: SigningKey, policy: TokenPolicy): string {
  // RFC 9068 §2.2 / RFC 7519 §4.1.7: jti is a unique identifier, 128 random bits.
  const payload = Buffer.from(accessTokenClaimsJson(input, policy, randomId()), "utf8").toString("base64url");
  const signingInput = `${headerSegment(key)}.${payload}`;
  const data = Buffer.from(signingInput, "latin1"); // base64url text: one byte per character
  const signature = key.alg === "ES256" ? sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" }) : sign(null, data, key.privateKey);
  return `${signingInput}.${signature.toString("base64url")}`;
}
