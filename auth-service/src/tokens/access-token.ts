import { sign } from "node:crypto";
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, type TokenPolicy, verifyAccessToken } from "@gastown/token-policy";
import { compactVerify, createLocalJWKSet, type JWTVerifyGetKey } from "jose";
import { type PublishedKey, publicJwks, type SigningKey, type SigningKeys } from "../keys/signing-keys.js";
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
 * Mints an RFC 9068 access token (`AccessTokenStrategy.make`). Signs
 * with node:crypto's synchronous `sign` (ES256 as raw r||s per RFC 7518 §3.4, or
 * Ed25519): measured several times faster than jose's WebCrypto signing, and the
 * signature is the largest fixed cost of a refresh grant.
 */
function signAccessToken(subject: AccessTokenSubject, grant: AccessTokenGrant, key: SigningKey, policy: TokenPolicy): string {
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

/**
 * The access token strategy (fosite's, beside `RefreshTokenStrategy`): makes RFC 9068
 * access tokens with the current signing key and verifies them with every published key
 * (pinned algorithms), with or without their expiry. Follows a key ring: after a reload
 * the next token is signed, and the next one verified, with the new set.
 */
export class AccessTokenStrategy {
  readonly #source: SigningKeys;
  readonly #policy: TokenPolicy;
  #builtFor: readonly PublishedKey[] | undefined;
  #jwks: JWTVerifyGetKey | undefined;

  constructor(keys: SigningKeys, policy: TokenPolicy) {
    this.#source = keys;
    this.#policy = policy;
  }

  get #keys(): JWTVerifyGetKey {
    if (this.#jwks === undefined || this.#builtFor !== this.#source.all) {
      this.#builtFor = this.#source.all;
      this.#jwks = createLocalJWKSet(publicJwks(this.#source));
    }
    return this.#jwks;
  }

  /** A signed access token for a grant (its `exp` already capped at the session's end). */
  make(subject: AccessTokenSubject, grant: AccessTokenGrant): string {
    return signAccessToken(subject, grant, this.#source.current, this.#policy);
  }

  /** Full RFC 9068 verification (introspection, revocation by a public client): `undefined` when not valid now. */
  async verify(token: string, nowMs: number): Promise<AccessTokenClaims | undefined> {
    try {
      return await verifyAccessToken(token, this.#keys, this.#policy, { currentDate: new Date(nowMs) });
    } catch {
      return undefined;
    }
  }

  /**
   * Revocation by a dispatcher client (RFC 7009; DESIGN.md "POST /oauth2/revoke"): the
   * signature, `typ`, `iss` and `aud` must be ours, but `exp` is ignored, so a worker can
   * revoke a superseded session with the first access token it got at dispatch. Answers
   * the session id and client.
   */
  async verifyIgnoringExpiry(token: string): Promise<{ sid: string; clientId: string } | undefined> {
    if (token.length > 8192) return undefined;
    try {
      const { payload, protectedHeader } = await compactVerify(token, this.#keys, { algorithms: [...this.#policy.algorithms] });
      if (protectedHeader.typ !== ACCESS_TOKEN_TYPE) return undefined;
      const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (claims.iss !== this.#policy.issuer || !audience.includes(this.#policy.audience)) return undefined;
      if (typeof claims.sid !== "string" || typeof claims.client_id !== "string") return undefined;
      return { sid: claims.sid, clientId: claims.client_id };
    } catch {
      return undefined;
    }
  }
}
