import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DEVELOPMENT } from "@gastown/testkit";
import { verifyAccessToken } from "@gastown/token-policy";
import { createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from "jose";
import { startAuthService } from "../src/index.js";
import { BASIC, CONTAINER, DEFAULT_AGENT, DISPATCH } from "./harness.js";

async function newKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: "ES256" };
}

const published = (jwk: JWK) => ({ ...jwk, gastown_status: "published" });
const publicOnly = ({ d: _d, ...jwk }: JWK) => jwk;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tokenRequest(url: string, body: Record<string, string>, basic = false): Promise<Response> {
  return fetch(`${url}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(basic ? { Authorization: BASIC } : {}) },
    body: new URLSearchParams(body),
  });
}

describe("signing key rotation (SIGHUP reload of AUTH_SIGNING_KEYS_FILE)", () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "gastown-keys-"));
    file = join(dir, "keys.json");
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const writeKeys = (keys: object[]) => writeFile(file, JSON.stringify({ keys }), { mode: 0o600 });

  it("the documented procedure runs under continuous refreshes and JWKS verification with zero failures", async () => {
    const keyA = await newKey("key-a");
    const keyB = await newKey("key-b");
    await writeKeys([keyA]);
    const service = await startAuthService({ env: { ...DEVELOPMENT, AUTH_SIGNING_KEYS_FILE: file }, redisUrl: null, port: 0, logLevel: "silent", policyOverrides: { accessTokenTtl: 2, clockTolerance: 1 } });
    // What worker-api does: a remote JWKS, cached, refetched on an unknown kid once the cooldown has passed.
    const cooldownMs = 500;
    const jwks = createRemoteJWKSet(new URL(`${service.url}/.well-known/jwks.json`), { cooldownDuration: cooldownMs, cacheMaxAge: 60_000 });
    const failures: string[] = [];
    const kids = new Map<string, number>();
    let running = true;
    let lastToken = "";
    const chain = async (index: number) => {
      const dispatched = await tokenRequest(service.url, { grant_type: DISPATCH, ...DEFAULT_AGENT, agent_id: `agent-${index}` }, true);
      let pair = (await dispatched.json()) as { access_token: string; refresh_token: string };
      while (running) {
        const response = await tokenRequest(service.url, { grant_type: "refresh_token", refresh_token: pair.refresh_token, client_id: CONTAINER });
        if (response.status !== 200) {
          failures.push(`refresh ${response.status} ${await response.text()}`);
          return;
        }
        pair = (await response.json()) as typeof pair;
        try {
          await verifyAccessToken(pair.access_token, jwks, service.policy);
          const kid = decodeProtectedHeader(pair.access_token).kid!;
          kids.set(kid, (kids.get(kid) ?? 0) + 1);
          lastToken = pair.access_token;
        } catch (error) {
          failures.push(`verify: ${(error as Error).message}`);
        }
        await sleep(10);
      }
    };
    const chains = Promise.all([0, 1, 2, 3].map(chain));
    try {
      await sleep(300); // the verifier has cached a JWKS holding key A only
      // 1. Add the new key as published-only; reload: published, not signing.
      await writeKeys([keyA, published(keyB)]);
      assert.deepEqual(await service.reloadSigningKeys(), { signingKid: "key-a", kids: ["key-a", "key-b"] });
      const jwksNow = (await (await fetch(`${service.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
      assert.deepEqual(jwksNow.keys.map((k) => k.kid), ["key-a", "key-b"]);
      assert.ok(jwksNow.keys.every((k) => k.d === undefined && !("gastown_status" in k)), "public halves only, no Gastown member");
      // Wait at least the verifiers' cooldown, so an unknown kid makes them refetch.
      await sleep(cooldownMs * 2);
      assert.equal(kids.get("key-b"), undefined, "a published-only key never signs");
      const signedByA = lastToken;
      // 2. Make it the signing key; reload.
      await writeKeys([keyB, published(keyA)]);
      assert.equal((await service.reloadSigningKeys()).signingKid, "key-b");
      await verifyAccessToken(signedByA, jwks, service.policy); // still published: tokens from key A keep verifying
      const until = Date.now() + 10_000;
      while (!kids.get("key-b") && Date.now() < until) await sleep(20);
      assert.ok(kids.get("key-b"), "tokens are signed with key B");
      // 3. After the longest access-token lifetime (plus the clock tolerance), remove the old key; reload.
      await sleep((service.policy.accessTokenTtl + service.policy.clockTolerance) * 1000 + 200);
      await writeKeys([keyB]);
      assert.deepEqual(await service.reloadSigningKeys(), { signingKid: "key-b", kids: ["key-b"] });
      const countB = kids.get("key-b")!;
      await sleep(500);
      assert.ok(kids.get("key-b")! > countB, "refreshes go on after the removal");
    } finally {
      running = false;
      await chains;
      await service.close();
    }
    assert.deepEqual(failures, []);
    assert.ok((kids.get("key-a") ?? 0) > 10, "key A signed before the switch");
  });

  it("a file that does not load keeps the old keys; published-only keys may be public only; an all-published file is refused", async () => {
    const keyA = await newKey("key-a");
    const keyB = await newKey("key-b");
    await writeKeys([keyA]);
    const service = await startAuthService({ env: { ...DEVELOPMENT, AUTH_SIGNING_KEYS_FILE: file }, redisUrl: null, port: 0, logLevel: "silent" });
    const jwks = createRemoteJWKSet(new URL(`${service.url}/.well-known/jwks.json`));
    const dispatchKid = async () => {
      const response = await tokenRequest(service.url, { grant_type: DISPATCH, ...DEFAULT_AGENT }, true);
      const { access_token } = (await response.json()) as { access_token: string };
      await verifyAccessToken(access_token, jwks, service.policy);
      return decodeProtectedHeader(access_token).kid;
    };
    try {
      await writeFile(file, "{not json");
      await assert.rejects(service.reloadSigningKeys(), { code: "ERR_AUTH_CONFIG" });
      await writeKeys([published(keyA), published(keyB)]);
      await assert.rejects(service.reloadSigningKeys(), /no signing key/);
      await writeKeys([publicOnly(keyB)]);
      await assert.rejects(service.reloadSigningKeys(), /no private part/);
      assert.equal(await dispatchKid(), "key-a", "still signing with the old key");
      await writeKeys([keyA, published(publicOnly(keyB))]);
      assert.deepEqual(await service.reloadSigningKeys(), { signingKid: "key-a", kids: ["key-a", "key-b"] });
      await writeKeys([{ ...keyA, gastown_status: "retired" }]);
      await assert.rejects(service.reloadSigningKeys(), /gastown_status/);
    } finally {
      await service.close();
    }
    const generated = await startAuthService({ env: DEVELOPMENT, redisUrl: null, port: 0, logLevel: "silent" });
    try {
      await assert.rejects(generated.reloadSigningKeys(), /AUTH_SIGNING_KEYS_FILE is not set/);
    } finally {
      await generated.close();
    }
  });
});
