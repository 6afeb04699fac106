import { sign } from "node:crypto";
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, type TokenPolicy } from "@gastown/token-policy";
import type { SigningKey } from "../keys/signing-keys.js";
import type { SessionRecord } from "../store/types.js";
import { randomId } from "./random-ids.js";

/** Whose token it is: the session's identity (a `SessionRecord` is one). */
export type AccessTokenSubject = Pick<SessionRecord, "sessionId" | "agentId" | "rigId" | "townId" | "userId" | "role" | "clientId">;

/** What this grant decided about the token. */
export interface AccessTokenGrant {
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
 * Mints an RFC 9068 access token (`AccessTokenStrategy.make` is the one caller). Signs
 * with node:crypto's synchronous `sign` (ES256 as raw r||s per RFC 7518 §3.4, or
 * Ed25519): measured several times faster than jose's WebCrypto signing, and the
 * signature is the largest fixed cost of a refresh grant.
 */
export function signAccessToken(subject: AccessTokenSubject, grant: AccessTokenGrant, key: SigningKey, policy: TokenPolicy): string {
  const claims: AccessTokenClaims = {
    iss: policy.issuer,
    aud: policy.audience,
    sub: subject.agentId,
    client_id: subject.clientId,
    iat: grant.issuedAt,
    exp: grant.expiresAt,
    // RFC 9068 §2.2 / RFC 7519 §4.1.7: a unique identifier, 128 random bits.
    jti: randomId(),
    scope: grant.scope,
    sid: subject.sessionId,
    agent_id: subject.agentId,
    ...(subject.rigId !== null ? { rig_id: subject.rigId } : {}),
    town_id: subject.townId,
    user_id: subject.userId,
    role: subject.role,
  };
  const signingInput = `${headerSegment(key)}.${base64url(claims)}`;
  const data = Buffer.from(signingInput, "latin1"); // base64url text: one byte per character
  const signature = key.alg === "ES256" ? sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" }) : sign(null, data, key.privateKey);
  return `${signingInput}.${signature.toString("base64url")}`;
}
