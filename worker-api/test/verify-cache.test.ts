import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { type AccessTokenClaims, InProcessRevocationBus } from "@gastown/token-policy";
import { type RunningWorkerApi, startWorkerApi, VerifiedTokenCache } from "../src/index.js";
import { bearer, heartbeatUrl, post } from "./helpers/http.js";
import { mint, POLECAT, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";

const claims = (exp: number, sid = "s-1") => ({ exp, sid }) as AccessTokenClaims;

describe("VerifiedTokenCache", () => {
  test("is bounded: the least recently used entry goes first", () => {
    const cache = new VerifiedTokenCache(2);
    cache.set("a", claims(100, "a"), 0);
    cache.set("b", claims(100, "b"), 0);
    assert.equal(cache.get("a", 0)?.sid, "a"); // a is now the most recent
    cache.set("c", claims(100, "c"), 0);
    assert.equal(cache.size, 2);
    assert.equal(cache.get("b", 0), undefined);
    assert.equal(cache.get("a", 0)?.sid, "a");
    assert.equal(cache.get("c", 0)?.sid, "c");
  });

  test("an entry is good only until the token's exp", () => {
    const cache = new VerifiedTokenCache(10);
    cache.set("t", claims(100), 50);
    assert.ok(cache.get("t", 99));
    assert.equal(cache.get("t", 100), undefined);
    cache.set("expired", claims(100), 100);
    assert.equal(cache.size, 0);
  });

  test("is keyed by the signature segment, but a hit needs the identical token", () => {
    assert.equal(VerifiedTokenCache.keyOf("header.payload.signature"), "signature");
    const cache = new VerifiedTokenCache(10);
    cache.set("header.payload.signature", claims(100, "verified"), 0);
    assert.equal(cache.get("header.payload.signature", 0)?.sid, "verified");
    // Same signature segment, another header or payload: a miss, and the entry stays.
    for (const other of ["header.payloaD.signature", "xheader.payload.signature", "header.payload2.signature", ".signature", "signature"]) {
      assert.equal(cache.get(other, 0), undefined, other);
    }
    assert.equal(cache.get("header.payload.signature", 0)?.sid, "verified");
    assert.equal(cache.size, 1);
  });
});

describe("worker hot path: JWKS fetched once, signatures checked once, revocation every time", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  let bus: InProcessRevocationBus;
  let clockMs = Date.now();

  before(async () => {
    issuer = await startTestIssuer();
    bus = new InProcessRevocationBus();
    worker = await startWorkerApi({
      authUrl: issuer.url,
      redisUrl: null,
      revocationBus: bus,
      containerUrl: "http://127.0.0.1:9",
      containerControlToken: "unused",
      clientId: "worker",
      clientSecret: "unused",
      jwksRefetchCooldownMs: 60_000,
      clock: () => clockMs,
      logLevel: "silent",
    });
  });

  after(async () => {
    await worker.close();
    await issuer.close();
  });

  const url = () => heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1");

  test("repeated calls with one token verify its signature once and never refetch the JWKS", async () => {
    const token = await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: POLECAT, nowSec: Math.floor(clockMs / 1000) });
    const misses = worker.verifyCache.misses;
    const hits = worker.verifyCache.hits;
    for (let i = 0; i < 20; i += 1) assert.equal((await post(url(), { i }, bearer(token))).status, 202);
    assert.equal(worker.verifyCache.misses - misses, 1);
    assert.equal(worker.verifyCache.hits - hits, 19);
    assert.equal(issuer.jwksFetches, 1);
    assert.equal(worker.keys.fetchCount, 1);
  });

  test("a cached token's signature under another payload (another agent) is refused, and the cached token still works", async () => {
    const token = await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: POLECAT, nowSec: Math.floor(clockMs / 1000) });
    assert.equal((await post(url(), {}, bearer(token))).status, 202);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claimsOf = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claimsOf, agent_id: "polecat-2", sub: "polecat-2" })).toString("base64url")}.${signature}`;
    const hits = worker.verifyCache.hits;
    const refused = await post(heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-2"), {}, bearer(forged));
    assert.equal(refused.status, 401);
    assert.equal(refused.challenge, 'Bearer error="invalid_token"');
    assert.equal(worker.verifyCache.hits, hits, "no cache hit for the forged token");
    assert.equal((await post(url(), {}, bearer(token))).status, 202);
    assert.equal(worker.verifyCache.hits - hits, 1);
  });

  test("a revoked session is refused on a cache hit", async () => {
    const sid = "s-revoked-while-cached";
    const token = await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: { ...POLECAT, sid }, nowSec: Math.floor(clockMs / 1000) });
    assert.equal((await post(url(), {}, bearer(token))).status, 202);
    const hits = worker.verifyCache.hits;
    bus.publish({ sid, reason: "admin", until: Math.floor(clockMs / 1000) + 600 });
    const refused = await post(url(), {}, bearer(token));
    assert.equal(refused.status, 401);
    assert.equal(refused.challenge, 'Bearer error="invalid_token"');
    assert.equal(worker.verifyCache.hits - hits, 1, "the refusal came from the revocation check on a cache hit");
  });

  test("a cached token stops working once it expires", async () => {
    const nowSec = Math.floor(clockMs / 1000);
    const token = await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: POLECAT, nowSec, expiresIn: 5 });
    assert.equal((await post(url(), {}, bearer(token))).status, 202);
    const saved = clockMs;
    clockMs += (5 + worker.policy.clockTolerance + 1) * 1000;
    try {
      assert.equal((await post(url(), {}, bearer(token))).status, 401);
    } finally {
      clockMs = saved;
    }
  });

  test("unknown kids refetch at most once per cooldown; a rotated key is picked up", async () => {
    const fresh = await issuer.newKey(true);
    const token = await mint({ key: fresh, issuer: issuer.url, claims: POLECAT, nowSec: Math.floor(clockMs / 1000) });
    // Within the cooldown an unknown kid is refused without a fetch.
    assert.equal((await post(url(), {}, bearer(token))).status, 401);
    assert.equal(issuer.jwksFetches, 1);
    clockMs += 61_000;
    assert.equal((await post(url(), {}, bearer(token))).status, 202);
    assert.equal(issuer.jwksFetches, 2);
    // A flood of unknown kids costs at most one more fetch.
    clockMs += 61_000;
    const stranger = await issuer.newKey(false);
    for (let i = 0; i < 10; i += 1) {
      const bogus = await mint({ key: stranger, issuer: issuer.url, claims: POLECAT, nowSec: Math.floor(clockMs / 1000) });
      assert.equal((await post(url(), {}, bearer(bogus))).status, 401);
    }
    assert.equal(issuer.jwksFetches, 3);
  });
});

describe("a worker started before the auth-service answers", () => {
  test("accepts valid tokens as soon as the auth-service is up, without waiting out the refetch cooldown", async () => {
    const issuer = await startTestIssuer();
    let open = false;
    // In front of the issuer: answers 503 until opened (the auth-service not up yet).
    const gate = createServer(async (req, res) => {
      if (!open) return void res.writeHead(503).end();
      const upstream = await fetch(`${issuer.url}${req.url ?? ""}`);
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    });
    await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
    const clockMs = Date.now();
    const worker = await startWorkerApi({
      authUrl: `http://127.0.0.1:${(gate.address() as AddressInfo).port}`,
      policyOverrides: { issuer: issuer.url },
      redisUrl: null,
      revocationBus: new InProcessRevocationBus(),
      containerUrl: "http://127.0.0.1:9",
      containerControlToken: "unused",
      clientId: "worker",
      clientSecret: "unused",
      jwksRefetchCooldownMs: 60_000,
      clock: () => clockMs,
      logLevel: "silent",
    });
    try {
      const url = heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1");
      const token = await mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: POLECAT, nowSec: Math.floor(clockMs / 1000) });
      assert.equal((await post(url, {}, bearer(token))).status, 503, "no keys yet: unavailable, not invalid");
      open = true;
      assert.equal((await post(url, {}, bearer(token))).status, 202, "accepted at once, same clock: no cooldown after failed fetches");
    } finally {
      await worker.close();
      gate.closeAllConnections();
      gate.close();
      await issuer.close();
    }
  });
});
