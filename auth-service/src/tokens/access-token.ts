import { randomBytes, sign } from "node:crypto";
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, type Role, type TokenPolicy } from "@gastown/token-policy";
import type { SigningKey } from "../keys/signing-keys.js";

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
    jti: randomBytes(16).toString("base64url"),
    scope: input.scope,
    sid: input.sessionId,
    agent_id: input.agentId,
    ...(input.rigId !== null ? { rig_id: input.rigId } : {}),
    town_id: input.townId,
    user_id: input.userId,
    role: input.role,
  };
  const signingInput = `${base64url({ alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid })}.${base64url(claims)}`;
  const signature =
    key.alg === "ES256"
      ? sign("sha256", Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: "ieee-p1363" })
      : sign(null, Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString("base64url")}`;
}
