import { type CryptoKey, type JWTVerifyGetKey, jwtVerify, type KeyObject } from "jose";
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, isId, isRole, isSessionId, REQUIRED_CLAIMS } from "./claims.js";
import type { TokenPolicy } from "./config.js";
import { InvalidAccessTokenError } from "./errors.js";

export type VerificationKey = CryptoKey | KeyObject | Uint8Array | JWTVerifyGetKey;

export interface VerifyOptions {
  /** Injected clock for tests; defaults to now. */
  currentDate?: Date;
}

/**
 * The one verification every resource server runs (RFC 9068 §4): `typ` must be
 * `at+jwt`, the algorithm one of the pinned ones, `iss` and `aud` the policy's, `exp`,
 * `nbf` and `iat` within the clock tolerance, every required claim present and well
 * formed. There is deliberately no separate `maxAge`: `exp` (capped by the issuer at the
 * session's end) is the one bound.
 */
export async function verifyAccessToken(
  token: string,
  key: VerificationKey,
  policy: TokenPolicy,
  options: VerifyOptions = {},
): Promise<AccessTokenClaims> {
  if (typeof token !== "string" || token.length === 0 || token.length > 8192) {
    throw new InvalidAccessTokenError("access token is missing or too long");
  }
  const currentDate = options.currentDate ?? new Date();
  let payload: Record<string, unknown>;
  try {
    const verifyOptions = {
      algorithms: [...policy.algorithms],
      issuer: policy.issuer,
      audience: policy.audience,
      typ: ACCESS_TOKEN_TYPE,
      clockTolerance: policy.clockTolerance,
      requiredClaims: [...REQUIRED_CLAIMS],
      currentDate,
    };
    const result =
      typeof key === "function"
        ? await jwtVerify(token, key, verifyOptions)
        : await jwtVerify(token, key, verifyOptions);
    payload = result.payload;
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? "ERR_JWT_INVALID";
    throw new InvalidAccessTokenError(`access token rejected (${code})`, { cause });
  }
  const now = Math.floor(currentDate.getTime() / 1000);
  if (typeof payload.iat !== "number" || payload.iat > now + policy.clockTolerance) {
    throw new InvalidAccessTokenError("access token issued in the future");
  }
  const ids = ["sub", "agent_id", "town_id", "user_id"] as const;
  for (const claim of ids) {
    if (!isId(payload[claim])) throw new InvalidAccessTokenError(`claim ${claim} is malformed`);
  }
  if (payload.sub !== payload.agent_id) throw new InvalidAccessTokenError("sub differs from agent_id");
  if (payload.rig_id !== undefined && !isId(payload.rig_id)) throw new InvalidAccessTokenError("claim rig_id is malformed");
  if (!isRole(payload.role)) throw new InvalidAccessTokenError("claim role is malformed");
  // A sid of another shape could never be revoked (revocation messages carry session ids only).
  if (!isSessionId(payload.sid)) throw new InvalidAccessTokenError("claim sid is malformed");
  for (const claim of ["jti", "scope", "client_id"] as const) {
    if (typeof payload[claim] !== "string" || (payload[claim] as string).length === 0) {
      throw new InvalidAccessTokenError(`claim ${claim} is malformed`);
    }
  }
  return payload as unknown as AccessTokenClaims;
}
