import { type AccessTokenClaims, InvalidAccessTokenError, type TokenPolicy, verifyAccessToken } from "@gastown/token-policy";
import type { Context, Next } from "koa";
import { InvalidTokenError, JwksUnavailableError, MissingTokenError, VerificationUnavailableError } from "../errors.js";
import type { Logger } from "../log.js";
import type { AuthOutcome, WorkerMetrics } from "../metrics/worker-metrics.js";
import { bearerCandidate, isB64Token, NOT_BEARER } from "./bearer.js";
import type { JwksKeySource } from "./jwks.js";
import type { RevocationList } from "./revocation-list.js";
import type { VerifiedTokenCache } from "./verify-cache.js";

declare module "koa" {
  interface DefaultState {
    claims?: AccessTokenClaims;
    /** Set by a later step (route binding) when it refuses an authenticated token. */
    authOutcome?: AuthOutcome;
  }
}

export interface AuthenticateDeps {
  policy: TokenPolicy;
  keys: JwksKeySource;
  cache: VerifiedTokenCache;
  revocations: RevocationList;
  /** False while the revoked set is not confirmed complete (`revocationsConfirmed`): 503. */
  revocationsConfirmed: () => boolean;
  now: () => number;
  log: Logger;
  metrics?: WorkerMetrics;
}

/** jose's code for a token past its exp (beyond the tolerance). */
const JWT_EXPIRED = "ERR_JWT_EXPIRED";

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 5) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/**
 * The one authentication step of every agent route. The token comes only from the
 * Authorization header (RFC 6750 §2.1; never a query or body parameter). A verified
 * token is cached until its exp; the revocation check runs on every request regardless.
 */
export function authenticate(deps: AuthenticateDeps) {
  const count = (outcome: AuthOutcome) => deps.metrics?.authOutcome(outcome);
  return async function authenticateMiddleware(ctx: Context, next: Next): Promise<void> {
    // RFC 6750 §2.1: the token comes from the Authorization header only.
    const token = bearerCandidate(ctx.get("authorization"));
    // RFC 6750 §3.1: no credentials (or another scheme) get the bare challenge.
    if (token === NOT_BEARER) {
      count("missing");
      throw new MissingTokenError();
    }
    const nowMs = deps.now();
    const nowSec = Math.floor(nowMs / 1000);
    // A hit is the identical string of a token that passed the syntax check and full
    // verification before; anything else is checked below before it is used.
    let claims = typeof token === "string" ? deps.cache.lookup(token, nowSec) : undefined;
    if (typeof token !== "string" || (claims === undefined && !isB64Token(token))) {
      count("invalid");
      throw new InvalidTokenError("malformed Bearer credentials");
    }
    deps.cache.countLookup(claims !== undefined);
    deps.metrics?.cacheLookup(claims !== undefined);
    if (!claims) {
      let kid = "";
      try {
        claims = await verifyAccessToken(
          token,
          (header) => {
            kid = header.kid ?? "";
            return deps.keys.getKey(header);
          },
          deps.policy,
          { currentDate: new Date(nowMs) },
        );
      } catch (error) {
        if (causeChain(error).some((e) => e instanceof JwksUnavailableError)) {
          deps.log.error({ err: (error as Error).message }, "cannot verify: auth-service keys unavailable");
          count("unavailable");
          throw new VerificationUnavailableError("verification keys are unavailable");
        }
        if (!(error instanceof InvalidAccessTokenError)) throw error;
        count(causeChain(error).some((e) => (e as { code?: unknown }).code === JWT_EXPIRED) ? "expired" : "invalid");
        throw new InvalidTokenError("the access token is invalid or expired");
      }
      // Not cached when its key left the JWKS meanwhile (a refetch ran during the check).
      if (deps.keys.holds(kid)) deps.cache.set(token, claims, nowSec, kid);
    }
    if (deps.revocations.isRevoked(claims.sid)) {
      count("revoked");
      throw new InvalidTokenError("the session was revoked");
    }
    // Fail closed: without a recent complete revoked set, "not revoked" cannot be told
    // from "revocation missed". RFC 9110 §15.6.4 (503) with Retry-After (§10.2.3).
    if (!deps.revocationsConfirmed()) {
      deps.log.warn("refused: the revoked set is not confirmed complete (Redis unreachable?)");
      count("unavailable");
      throw new VerificationUnavailableError("revocations cannot be confirmed");
    }
    ctx.state.claims = claims;
    try {
      await next();
    } finally {
      // The route binding runs inside: it names its refusal, anything else got through.
      count(ctx.state.authOutcome ?? "ok");
    }
  };
}
