import { createHmac, createSecretKey, type KeyObject, randomBytes, randomFillSync, sign, timingSafeEqual } from "node:crypto";
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, isSessionId, type TokenPolicy, verifyAccessToken } from "@gastown/token-policy";
import { compactVerify, createLocalJWKSet, type JWTVerifyGetKey } from "jose";
import { type PublishedKey, publicJwks, type SigningKey, type SigningKeys } from "../keys/signing-keys.js";
import type { SessionRecord } from "../store/types.js";

/*
 * The two token strategies (fosite's layout: how tokens are made and checked, beside each
 * other): the refresh token (an HMAC the server alone can make) and the RFC 9068 access
 * token (a JWT signed with the current key), with the random ids the access token needs.
 */

/**
 * The refresh token strategy (fosite's HMAC strategy, simplified):
 * `gtr_<sid>.<generation>.<mac>`, mac = base64url(HMAC-SHA256(secret, "gtr1|sid|generation")).
 *
 * The server reads the session id and generation from the token (one store lookup);
 * the 256-bit MAC is what only the server can make. The store never sees a token or a
 * MAC, only (sid, generation), so a store dump cannot be turned into a token without
 * the secret (DESIGN.md invariant 7). A token whose MAC does not verify never reaches
 * the store (invariant 8), so knowing a session id does not let anyone touch it.
 */
export interface RefreshTokenClaims {
  sessionId: string;
  generation: number;
}

const PREFIX = "gtr_";
const MAC_DOMAIN = "gtr1";
/** Strict shape: canonical decimal generation, 43-character (256-bit) base64url MAC. */
const REFRESH_TOKEN = /^gtr_([A-Za-z0-9_-]{22})\.(0|[1-9][0-9]{0,14})\.([A-Za-z0-9_-]{43})$/;
const MAX_TOKEN_LENGTH = 128;

export function newSessionId(): string {
  return randomBytes(16).toString("base64url");
}

/** The session-id shape is token-policy's (`sid` claims, revocation messages). */
export { isSessionId };

/** Does this look like one of our refresh tokens (without verifying it)? */
export function looksLikeRefreshToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

export class RefreshTokenStrategy {
  /** The secrets as HMAC keys (their UTF-8 bytes), imported once rather than per MAC. */
  readonly #secrets: readonly KeyObject[];

  /** `secrets[0]` makes tokens; every secret is accepted (rotation). */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError("at least one refresh token secret is required");
    this.#secrets = secrets.map((secret) => createSecretKey(Buffer.from(secret, "utf8")));
  }

  #mac(secret: KeyObject, sessionId: string, generation: number): string {
    return createHmac("sha256", secret).update(`${MAC_DOMAIN}|${sessionId}|${generation}`).digest("base64url");
  }

  /** The token for a session's generation; it can be recomputed at any time (grace replay). */
  make(sessionId: string, generation: number): string {
    if (!isSessionId(sessionId) || !Number.isSafeInteger(generation) || generation < 0) {
      throw new TypeError("refresh token for a malformed session id or generation");
    }
    return `${PREFIX}${sessionId}.${generation}.${this.#mac(this.#secrets[0]!, sessionId, generation)}`;
  }

  /**
   * Parses strictly and checks the MAC against every secret in constant time.
   * `undefined` for anything this server did not issue.
   */
  verify(token: unknown): RefreshTokenClaims | undefined {
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return undefined;
    const match = REFRESH_TOKEN.exec(token);
    if (!match) return undefined;
    const sessionId = match[1]!;
    const generation = Number(match[2]);
    if (!Number.isSafeInteger(generation)) return undefined;
    const presented = Buffer.from(match[3]!, "ascii");
    let valid = false;
    for (const secret of this.#secrets) {
      const expected = Buffer.from(this.#mac(secret, sessionId, generation), "ascii");
      // Both are 43 ASCII characters; compare the canonical text so no other encoding passes.
      if (timingSafeEqual(expected, presented)) valid = true;
    }
    return valid ? { sessionId, generation } : undefined;
  }
}

/** Bytes per id: 128 bits, as RFC 9068 §2.2's `jti` needs (unguessable, never repeated). */
export const RANDOM_ID_BYTES = 16;
/** One CSPRNG call fills this many bytes (256 ids). */
const POOL_BYTES = 4096;

/**
 * Random 128-bit ids (base64url, 22 characters) cut from a pooled CSPRNG buffer.
 *
 * On this kind of VM every `randomBytes` call costs ~5 µs whatever its size (the call,
 * not the bytes), so one 4 KiB `randomFillSync` serves 256 ids. Each id is 16 bytes of
 * the CSPRNG's output used once: the pool is refilled before a byte would be reused, it
 * never leaves this module, and an id carries exactly the entropy of `randomBytes(16)`.
 */
export class RandomIdPool {
  readonly #pool = Buffer.allocUnsafeSlow(POOL_BYTES);
  #offset = POOL_BYTES;

  next(): string {
    if (this.#offset + RANDOM_ID_BYTES > POOL_BYTES) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    const start = this.#offset;
    this.#offset = start + RANDOM_ID_BYTES;
    return this.#pool.toString("base64url", start, start + RANDOM_ID_BYTES);
  }
}

const shared = new RandomIdPool();

/** A fresh random 128-bit id, base64url (22 characters). */
export function randomId(): string {
  return shared.next();
}

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
   * signature, `typ`, `iss` and `aud` must be ours, but `exp` is ignored, so a dispatcher
   * client may end a session with an access token of it that has expired (a public client
   * may not: `verify`). The worker itself keeps no token and revokes by session id
   * (`token_type_hint=session_id`). Answers the session id and client.
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
