import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { DEVELOPMENT, startRedisServer, waitFor } from "@gastown/testkit";
import { createLocalJWKSet, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { CONTAINER, DISPATCH, type Harness, STORE_KINDS, startHarness } from "./harness.js";

for (const kind of STORE_KINDS) {
  describe(`metadata, JWKS and a standard client (${kind} store)`, () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it("publishes RFC 8414 metadata with every endpoint under the issuer", async () => {
      h = await startHarness(kind);
      const response = await h.http.get("/.well-known/oauth-authorization-server").expect(200);
      const issuer = h.url;
      assert.deepEqual(response.body, {
        issuer,
        token_endpoint: `${issuer}/oauth2/token`,
        revocation_endpoint: `${issuer}/oauth2/revoke`,
        introspection_endpoint: `${issuer}/oauth2/introspect`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        grant_types_supported: [DISPATCH, "refresh_token"],
        response_types_supported: [],
        scopes_supported: ["agent", "mayor"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
        revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
        introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      });
    });

    it("publishes public keys only, and they verify the access tokens", async () => {
      h = await startHarness(kind);
      const response = await h.http.get("/.well-known/jwks.json").expect(200);
      const jwks = JSON.parse(response.text) as { keys: Record<string, unknown>[] };
      assert.equal(jwks.keys.length, 1);
      for (const key of jwks.keys) {
        for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k"]) assert.equal(key[secret], undefined, `public JWK has ${secret}`);
        assert.equal(key.use, "sig");
        assert.equal(key.alg, "ES256");
      }
      const tokens = await h.dispatch();
      const { protectedHeader } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks as never), { algorithms: ["ES256"], currentDate: new Date(h.clock.now) });
      assert.equal(protectedHeader.kid, jwks.keys[0]!.kid);
    });

    it("oauth4webapi discovers the server and refreshes with the public client unmodified", async () => {
      h = await startHarness(kind);
      const issuer = new URL(h.url);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", [oauth.allowInsecureRequests]: true }));
      assert.equal(as.token_endpoint, `${h.url}/oauth2/token`);
      const tokens = await h.dispatch();
      const client: oauth.Client = { client_id: CONTAINER };
      const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, { [oauth.allowInsecureRequests]: true });
      const result = await oauth.processRefreshTokenResponse(as, client, response);
      assert.equal(result.token_type, "bearer");
      assert.equal(result.expires_in, h.service.policy.accessTokenTtl);
      assert.equal(result.scope, "agent");
      assert.equal(result.session_id, tokens.session_id);
      assert.match(String(result.refresh_token), new RegExp(`^gtr_${tokens.session_id}\\.1\\.`));
      assert.equal((await h.verify(result.access_token)).sid, tokens.session_id);
    });
  });
}

describe("healthz and readyz", () => {
  it("reports the in-memory store", async () => {
    const h = await startHarness("memory");
    try {
      assert.deepEqual((await h.http.get("/healthz").expect(200)).body, { status: "ok" });
      const response = await h.http.get("/readyz").expect(200);
      assert.deepEqual(response.body, { status: "ok", redis: "memory" });
    } finally {
      await h.close();
    }
  });

  it("readyz reports Redis up, then 503 when it goes down (healthz stays 200), then up again", async () => {
    const redis = await startRedisServer();
    const { startAuthService } = await import("../src/index.js");
    const service = await startAuthService({ env: DEVELOPMENT, redisUrl: redis.url, prefix: "gtt:health:", port: 0, logLevel: "silent" });
    try {
      await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, 10_000, "redis up");
      assert.deepEqual(await (await fetch(`${service.url}/readyz`)).json(), { status: "ok", redis: "up" });
      await redis.kill();
      const down = await waitFor(async () => {
        const response = await fetch(`${service.url}/readyz`);
        return response.status === 503 ? response : undefined;
      }, 15_000, "readyz 503");
      assert.deepEqual(await down.json(), { status: "unavailable", redis: "down" });
      const alive = await fetch(`${service.url}/healthz`);
      assert.equal(alive.status, 200);
      assert.deepEqual(await alive.json(), { status: "ok" });
      // A token request while Redis is down is a 503 to retry, not a hang or a leak of detail.
      const dispatch = await fetch(`${service.url}/oauth2/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${Buffer.from("worker:dev-worker-secret").toString("base64")}` },
        body: new URLSearchParams({ grant_type: DISPATCH, agent_id: "a", town_id: "t", user_id: "u", role: "polecat" }),
      });
      assert.equal(dispatch.status, 503);
      assert.equal(dispatch.headers.get("retry-after"), "1");
      assert.deepEqual(await dispatch.json(), { error: "temporarily_unavailable" });
      await redis.restart();
      await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, 20_000, "redis back up");
    } finally {
      await service.close();
      await redis.kill(true);
    }
  });
});
