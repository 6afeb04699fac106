import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { InProcessRevocationBus } from "@gastown/token-policy";
import { type RunningWorkerApi, startWorkerApi, VerifiedTokenCache } from "../src/index.js";
import { bearer, heartbeatUrl, post } from "./helpers/http.js";
import { mint, POLECAT, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";
import { NO_CONTAINER } from "./helpers/worker.js";

// Issue 14: the worker refetches the JWKS on a timer, not only on an unknown kid, and drops
// verified-cache entries whose kid left the set: a key removed after a compromise is refused
// within a bounded time (the refresh interval plus one fetch), not trusted until a restart.
const REFRESH_MS = 300;

describe("VerifiedTokenCache.retainKids", () => {
  test("drops exactly the entries verified by kids no longer in the set", () => {
    const cache = new VerifiedTokenCache(10);
    const claims = { exp: 100, sid: "s" } as Parameters<VerifiedTokenCache["set"]>[1];
    cache.set("h.p.a", claims, 0, "kid-a");
    cache.set("h.p.b", claims, 0, "kid-b");
    cache.set("h.p.none", claims, 0);
    cache.retainKids(new Set(["kid-b"]));
    assert.equal(cache.get("h.p.a", 0), undefined);
    assert.ok(cache.get("h.p.b", 0));
    assert.equal(cache.get("h.p.none", 0), undefined, "an entry without a kid is dropped at any change");
    assert.equal(cache.size, 1);
  });
});

describe("a key removed from the JWKS is refused within the refresh interval", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;

  before(async () => {
    issuer = await startTestIssuer();
    worker = await startWorkerApi({ ...NO_CONTAINER, authUrl: issuer.url, redisUrl: null, revocationBus: new InProcessRevocationBus(), jwksRefreshIntervalMs: REFRESH_MS });
  });
  after(async () => {
    await worker.close();
    await issuer.close();
  });

  const url = () => heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1");

  test("the JWKS is refetched on the timer with no unknown kid in sight", async () => {
    await waitFor(() => worker.keys.keyCount > 0, 5_000, "keys loaded");
    const fetches = issuer.jwksFetches;
    await waitFor(() => issuer.jwksFetches >= fetches + 2, 5_000, "two timed refetches");
  });

  test("a cached token of the removed key and a fresh token of it both get 401 invalid_token; the new key works", async () => {
    const compromised = issuer.keys[0]!;
    const cachedToken = await mint({ key: compromised, issuer: issuer.url, claims: POLECAT, expiresIn: 3600 });
    assert.equal((await post(url(), {}, bearer(cachedToken))).status, 202);
    assert.equal((await post(url(), {}, bearer(cachedToken))).status, 202);
    assert.equal(worker.verifyCache.size, 1, "verified once, then served from the cache");

    const replacement = await issuer.newKey(false);
    issuer.keys.splice(0, issuer.keys.length, replacement); // the auth-service drops the compromised key
    const removedAt = Date.now();
    const refused = await waitFor(async () => {
      const answer = await post(url(), {}, bearer(cachedToken));
      return answer.status === 401 ? answer : undefined;
    }, 10_000, "the cached token refused");
    const tookMs = Date.now() - removedAt;
    assert.equal(refused.challenge, 'Bearer error="invalid_token"');
    // Bound: one interval plus one fetch; the margin is for this shared machine's load.
    assert.ok(tookMs <= REFRESH_MS + 2_000, `refused after ${tookMs} ms`);
    assert.equal(worker.verifyCache.size, 0, "its cache entry is gone");
    const freshOfCompromised = await mint({ key: compromised, issuer: issuer.url, claims: POLECAT });
    assert.equal((await post(url(), {}, bearer(freshOfCompromised))).status, 401);
    const ofReplacement = await mint({ key: replacement, issuer: issuer.url, claims: POLECAT });
    assert.equal((await post(url(), {}, bearer(ofReplacement))).status, 202);
  });
});
