import { loadPolicy, verifyAccessToken } from "@gastown/token-policy";
import { decodeProtectedHeader, jwtVerify } from "jose";
import type { Progress } from "../progress.js";
import type { TokenCheckFigures } from "../report/report.js";
import type { AuthTarget } from "../targets/auth-target.js";
import { measureRate, mergeRates, type RateFigure } from "./verify-rate.js";

/** Revoked sessions held by the list during the check (a busy worker's list is not empty). */
const REVOKED_SESSIONS = 1000;

/**
 * The worker-api's token check per request, in process, through its public API (the same
 * pieces its `authenticate` middleware runs, in the same order): Bearer parsing, the
 * verified-token cache, on a miss `verifyAccessToken` (token-policy) with the JWKS key
 * source, and the revocation check that runs on every request. The baseline is jose's raw
 * `jwtVerify` of the same token with the same key. All on one real access token from the
 * auth-service's dispatch grant.
 */
export async function measureTokenChecks(auth: AuthTarget, durationMs: number, rounds: number, progress: Progress): Promise<TokenCheckFigures> {
  // Loaded here, not at the top, so a worker-api that does not load fails this figure only.
  const { AuthMetadataSource, bearerCandidate, isB64Token, JwksKeySource, RevocationList, VerifiedTokenCache, WORKER_TUNING } = await import("@gastown/worker-api");
  const [session] = await auth.dispatch(1);
  if (!session) throw new Error("no session dispatched");
  const token = session.accessToken;
  const header = `Bearer ${token}`;
  const policy = loadPolicy({}, { issuer: auth.child.url });
  const keys = new JwksKeySource({ metadata: new AuthMetadataSource(auth.child.url), refetchCooldownMs: WORKER_TUNING.jwksRefetchCooldownMs });
  await keys.refresh();
  const key = await keys.getKey(decodeProtectedHeader(token));
  const nowSec = () => Math.floor(Date.now() / 1000);
  const revocations = new RevocationList(nowSec);
  for (let i = 0; i < REVOKED_SESSIONS; i++) revocations.add(`revoked-${i}`, nowSec() + 3600);
  const cache = new VerifiedTokenCache(WORKER_TUNING.verifyCacheSize);

  const check = async (): Promise<void> => {
    const presented = bearerCandidate(header);
    if (typeof presented !== "string") throw new Error("not a Bearer token");
    const now = Date.now();
    let claims = cache.lookup(presented, Math.floor(now / 1000));
    if (!claims && !isB64Token(presented)) throw new Error("malformed");
    cache.countLookup(claims !== undefined);
    if (!claims) {
      claims = await verifyAccessToken(presented, keys.getKey, policy, { currentDate: new Date(now) });
      cache.set(presented, claims, Math.floor(now / 1000));
    }
    if (revocations.isRevoked(claims.sid)) throw new Error("revoked");
  };

  const joseOptions = { algorithms: [...policy.algorithms], issuer: policy.issuer, audience: policy.audience, typ: "at+jwt" };
  await check(); // fills the cache
  const checks: [keyof TokenCheckFigures, string, () => Promise<unknown>][] = [
    ["jose", "jose jwtVerify (ES256, raw)", () => jwtVerify(token, key, joseOptions)],
    ["cacheHit", "worker-api check, cache hit", check],
    [
      "cacheMiss",
      "worker-api check, cache miss",
      async () => {
        cache.clear();
        await check();
      },
    ],
  ];
  // Taking turns, so background load drifting on a shared machine hits all three alike.
  const runs = new Map<keyof TokenCheckFigures, RateFigure[]>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, label, operation] of checks) {
      progress.step(`in-process check: ${label}${rounds > 1 ? `, turn ${round + 1}/${rounds}` : ""}`);
      const figure = await measureRate(label, operation, durationMs / rounds);
      progress.done(`${Math.round(figure.perSecond)}/s (${figure.microseconds.toFixed(2)} µs)`);
      runs.set(name, [...(runs.get(name) ?? []), figure]);
    }
  }
  const figures: TokenCheckFigures = {};
  for (const [name, figuresOfCheck] of runs) figures[name] = mergeRates(figuresOfCheck);
  return figures;
}
