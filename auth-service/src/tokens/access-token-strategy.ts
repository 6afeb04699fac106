import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, type TokenPolicy, verifyAccessToken } from "@gastown/token-policy";
import { compactVerify, createLocalJWKSet, type JWTVerifyGetKey } from "jose";
import { type PublishedKey, publicJwks, type SigningKeys } from "../keys/signing-keys.js";
import { type AccessTokenGrant, type AccessTokenSubject, signAccessToken } from "./access-token.js";

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
