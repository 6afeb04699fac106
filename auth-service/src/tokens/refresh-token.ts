import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { isSessionId } from "@gastown/token-policy";

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
