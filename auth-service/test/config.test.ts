import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DEVELOPMENT } from "@gastown/testkit";
import { PolicyConfigError, verifyAccessToken } from "@gastown/token-policy";
import { exportJWK, generateKeyPair } from "jose";
import request from "supertest";
import { AuthConfigError, loadAuthConfig, startAuthService } from "../src/index.js";
import { DEFAULT_AGENT, DISPATCH } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "gt-auth-config-"));

async function keysFile(algs: ("ES256" | "EdDSA")[], name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const keys = [];
  for (const [i, alg] of algs.entries()) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === "EdDSA" ? "Ed25519" : undefined });
    keys.push({ ...(await exportJWK(privateKey)), kid: `key-${i}`, ...extra });
  }
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ keys }));
  return path;
}

const SECRET = "s".repeat(32);
/** Strong values as a deployment has them (32+ random characters each). */
const STRONG = { client: "w0rk3r-Q9vX2mL7pR4tK8nB3cJ6hF1dS5gA", admin: "adm1n-Z8yW3qE6rT9uI2oP5aS7dF4gH1jK", secret: "t0k3n-M4nB7vC2xZ9lK6jH3gF8dS1aQ5wE", other: "t0k3n-P1oI4uY7tR2eW9qA6sD3fG8hJ5kL" };

describe("configuration", () => {
  it("NODE_ENV=production without settings refuses to start, naming every missing one", async () => {
    await assert.rejects(startAuthService({ env: { NODE_ENV: "production" }, port: 0, logLevel: "silent" }), (error: Error) => {
      assert.ok(error instanceof AuthConfigError);
      assert.equal((error as AuthConfigError).code, "ERR_AUTH_CONFIG");
      for (const name of ["AUTH_DISPATCHER_CLIENTS", "AUTH_ADMIN_TOKEN", "AUTH_SIGNING_KEYS_FILE", "AUTH_TOKEN_SECRET", "REDIS_URL"]) {
        assert.match(error.message, new RegExp(name));
      }
      return true;
    });
  });

  it("NODE_ENV=production names only what is still missing", async () => {
    const env = { NODE_ENV: "production", AUTH_DISPATCHER_CLIENTS: `worker:${STRONG.client}`, AUTH_ADMIN_TOKEN: STRONG.admin, AUTH_TOKEN_SECRET: STRONG.secret, REDIS_URL: "redis://127.0.0.1:6379" };
    await assert.rejects(loadAuthConfig({ env }), /missing setting\(s\): AUTH_SIGNING_KEYS_FILE$/);
  });

  it("NODE_ENV=production with every setting loads, and secrets are parsed", async () => {
    const env = {
      NODE_ENV: "production",
      AUTH_DISPATCHER_CLIENTS: `worker:${STRONG.client}, ops:${STRONG.other}:with:colons`,
      AUTH_ADMIN_TOKEN: STRONG.admin,
      AUTH_TOKEN_SECRET: `${STRONG.secret},${STRONG.other}`,
      AUTH_SIGNING_KEYS_FILE: await keysFile(["ES256", "EdDSA"], "prod.json"),
      REDIS_URL: "redis://127.0.0.1:6379/2",
      REDIS_PREFIX: "prod:",
      AUTH_PORT: "4321",
    };
    const config = await loadAuthConfig({ env });
    assert.deepEqual(config.dispatcherClients, [{ id: "worker", secret: STRONG.client }, { id: "ops", secret: `${STRONG.other}:with:colons` }]);
    assert.deepEqual(config.tokenSecrets, [STRONG.secret, STRONG.other]);
    assert.equal(config.signingKeys.all.length, 2);
    assert.equal(config.signingKeys.current.kid, "key-0");
    assert.equal(config.signingKeys.all[1]!.alg, "EdDSA");
    assert.equal(config.port, 4321);
    assert.equal(config.prefix, "prod:");
    assert.deepEqual(config.developmentDefaults, []);
  });

  it("bad GASTOWN_* values are startup errors naming the setting", async () => {
    await assert.rejects(startAuthService({ env: { ...DEVELOPMENT, GASTOWN_ACCESS_TOKEN_TTL: "soon" }, port: 0, logLevel: "silent" }), (error: Error) => {
      assert.ok(error instanceof PolicyConfigError);
      assert.match(error.message, /GASTOWN_ACCESS_TOKEN_TTL/);
      return true;
    });
    await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, GASTOWN_REFRESH_GRACE: "-1" } }), /GASTOWN_REFRESH_GRACE/);
    await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, AUTH_ISSUER: "ftp://x" } }), /AUTH_ISSUER/);
  });

  it("bad values are clear startup errors", async () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ AUTH_TOKEN_SECRET: "short" }, /AUTH_TOKEN_SECRET secret 1 is shorter than 32/],
      [{ AUTH_TOKEN_SECRET: `${SECRET},` }, /AUTH_TOKEN_SECRET secret 2/],
      [{ AUTH_DISPATCHER_CLIENTS: "worker" }, /AUTH_DISPATCHER_CLIENTS entry 1/],
      [{ AUTH_DISPATCHER_CLIENTS: "worker:a,worker:b" }, /listed twice/],
      [{ AUTH_DISPATCHER_CLIENTS: "gastown-container:x" }, /public container client/],
      [{ AUTH_ADMIN_TOKEN: "short" }, /AUTH_ADMIN_TOKEN must be at least/],
      [{ AUTH_PORT: "70000" }, /AUTH_PORT/],
      [{ AUTH_PORT: "http" }, /AUTH_PORT/],
      [{ REDIS_URL: "http://127.0.0.1" }, /REDIS_URL/],
      [{ AUTH_SIGNING_KEYS_FILE: join(dir, "missing.json") }, /AUTH_SIGNING_KEYS_FILE/],
    ];
    for (const [env, message] of cases) {
      await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, ...env } }), (error: Error) => {
        assert.ok(error instanceof AuthConfigError, `${JSON.stringify(env)}: ${error}`);
        assert.match(error.message, message);
        return true;
      });
    }
    // Secret values never appear in the messages.
    await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, AUTH_TOKEN_SECRET: "tooshort-secret-value" } }), (error: Error) => !error.message.includes("tooshort-secret-value"));
  });

  it("refuses key files without private keys or with unsupported algorithms", async () => {
    const { publicKey } = await generateKeyPair("ES256", { extractable: true });
    const publicOnly = join(dir, "public.json");
    writeFileSync(publicOnly, JSON.stringify({ keys: [await exportJWK(publicKey)] }));
    await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, AUTH_SIGNING_KEYS_FILE: publicOnly } }), /no private part/);
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const rsa = join(dir, "rsa.json");
    writeFileSync(rsa, JSON.stringify({ keys: [await exportJWK(privateKey)] }));
    await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, AUTH_SIGNING_KEYS_FILE: rsa } }), /only EC P-256/);
    const empty = join(dir, "empty.json");
    writeFileSync(empty, JSON.stringify({ keys: [] }));
    await assert.rejects(loadAuthConfig({ env: { ...DEVELOPMENT, AUTH_SIGNING_KEYS_FILE: empty } }), /at least one key/);
  });

  it("signs with the first key of the file (EdDSA), publishes all, honours AUTH_ISSUER and the dispatcher list", async () => {
    const service = await startAuthService({
      env: {
        ...DEVELOPMENT,
        AUTH_SIGNING_KEYS_FILE: await keysFile(["EdDSA", "ES256"], "eddsa.json"),
        AUTH_ISSUER: "https://auth.example.test",
        AUTH_AUDIENCE: "custom-audience",
        AUTH_DISPATCHER_CLIENTS: "dispatcher-1:first-secret",
        AUTH_TOKEN_SECRET: SECRET,
        AUTH_ADMIN_TOKEN: "admin-token-0123456789",
      },
      redisUrl: null,
      port: 0,
      logLevel: "silent",
    });
    try {
      assert.equal(service.policy.issuer, "https://auth.example.test");
      assert.equal(service.adminToken, "admin-token-0123456789");
      const http = request(service.url);
      const jwks = JSON.parse((await http.get("/.well-known/jwks.json").expect(200)).text);
      assert.deepEqual(jwks.keys.map((k: { kid: string; alg: string }) => [k.kid, k.alg]), [["key-0", "EdDSA"], ["key-1", "ES256"]]);
      await http.post("/oauth2/token").type("form").auth("worker", "dev-worker-secret").send(new URLSearchParams({ grant_type: DISPATCH, ...DEFAULT_AGENT }).toString()).expect(401);
      const response = await http.post("/oauth2/token").type("form").auth("dispatcher-1", "first-secret").send(new URLSearchParams({ grant_type: DISPATCH, ...DEFAULT_AGENT }).toString()).expect(200);
      const { createLocalJWKSet } = await import("jose");
      const claims = await verifyAccessToken(response.body.access_token, createLocalJWKSet(jwks), service.policy);
      assert.equal(claims.iss, "https://auth.example.test");
      assert.equal(claims.aud, "custom-audience");
      assert.match(response.body.refresh_token, /^gtr_/);
    } finally {
      await service.close();
    }
  });
});
