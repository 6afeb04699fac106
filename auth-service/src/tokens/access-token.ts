import { sign } from "node:crypto";
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, type Role, type TokenPolicy } from "@gastown/token-policy";
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

/**
 * Mints an RFC 9068 access token. Signs with node:crypto's synchronous `sign`
 * (ES256 as raw r||s per RFC 7518 §3.4, or Ed25519): several times faster than
 * WebCrypto on the refresh hot path (TOOLCHAIN.md).
 */
export function signAccessToken(input: AccessTokenInput, key: SigningKey, policy: TokenPolicy): string {
  const claims: AccessTokenClaims = {
    iss: policy.issuer,
    aud: policy.audience,
    sub: input.agentId,
    client_id: input.clientId,
    iat: input.issuedAt,
    exp: input.expiresAt,
    // RFC 9068 §2.2 / RFC 7519 §4.1.7: a unique identifier, 128 random bits.
    jti: randomId(),
    scope: input.scope,
    sid: input.sessionId,
    agent_id: input.agentId,
    ...(input.rigId !== null ? { rig_id: input.rigId } : {}),
    town_id: input.townId,
    user_id: input.userId,
    role: input.role,
  };
  const signingInput = `${headerSegment(key)}.${base64url(claims)}`;
  const data = Buffer.from(signingInput, "latin1"); // base64url text: one byte per character
  const signature = key.alg === "ES256" ? sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" }) : sign(null, data, key.privateKey);
  return `${signingInput}.${signature.toString("base64url")}`;
}
