import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { InProcessRevocationBus } from "@gastown/token-policy";
import { checkAuthMetadata } from "../src/auth/metadata-checks.js";
import { MetadataRefusedError } from "../src/errors.js";
import { loadWorkerSettings, type RunningWorkerApi, startWorkerApi } from "../src/index.js";
import { bearer, get, heartbeatUrl, post } from "./helpers/http.js";
import { makeKey, mint, POLECAT, type SigningKey } from "./helpers/issuer.js";
import { NO_CONTAINER } from "./helpers/worker.js";

// Issue 14: the metadata's issuer must equal AUTH_ISSUER (RFC 8414 §3.3), its jwks_uri (and
// the endpoints the worker sends its client secret to) on the issuer's origin, and https
// unless NODE_ENV=development. The worker refuses otherwise, with a clear message.
const ISSUER = "https://auth.example";
const good = (issuer = ISSUER) => ({
  issuer,
  jwks_uri: `${issuer}/.well-known/jwks.json`,
  token_endpoint: `${issuer}/oauth2/token`,
  revocation_endpoint: `${issuer}/oauth2/revoke`,
});

describe("checkAuthMetadata", () => {
  test("accepts a document of the configured issuer", () => {
    checkAuthMetadata(good(), { issuer: ISSUER, requireHttps: true });
    checkAuthMetadata(good("http://127.0.0.1:4000"), { issuer: "http://127.0.0.1:4000", requireHttps: false });
  });

  test("refuses each broken rule with a message naming it", () => {
    const cases: [Record<string, string>, { issuer: string; requireHttps: boolean }, RegExp][] = [
      [{ ...good(), issuer: "https://evil.example" }, { issuer: ISSUER, requireHttps: true }, /issuer "https:\/\/evil.example" is not AUTH_ISSUER "https:\/\/auth.example" \(RFC 8414 §3.3\)/],
      [{ ...good(), issuer: `${ISSUER}/` }, { issuer: ISSUER, requireHttps: true }, /is not AUTH_ISSUER/],
      [{ ...good(), jwks_uri: "https://keys.evil.example/jwks.json" }, { issuer: ISSUER, requireHttps: true }, /jwks_uri "https:\/\/keys.evil.example\/jwks.json" is not on the issuer's origin https:\/\/auth.example/],
      [{ ...good(), jwks_uri: "http://auth.example/.well-known/jwks.json" }, { issuer: ISSUER, requireHttps: true }, /jwks_uri .* is not on the issuer's origin/],
      [{ ...good(), jwks_uri: "https://auth.example:8443/jwks.json" }, { issuer: ISSUER, requireHttps: true }, /jwks_uri/],
      [{ ...good(), jwks_uri: "not a url" }, { issuer: ISSUER, requireHttps: true }, /jwks_uri/],
      [{ ...good(), token_endpoint: "https://evil.example/token" }, { issuer: ISSUER, requireHttps: true }, /token_endpoint .* is not on the issuer's origin/],
      [{ ...good(), revocation_endpoint: "https://evil.example/revoke" }, { issuer: ISSUER, requireHttps: true }, /revocation_endpoint/],
      [good("http://127.0.0.1:4000"), { issuer: "http://127.0.0.1:4000", requireHttps: true }, /AUTH_ISSUER "http:\/\/127.0.0.1:4000" is not https \(only NODE_ENV=development allows http\)/],
    ];
    for (const [document, expected, message] of cases) {
      assert.throws(() => checkAuthMetadata(document as ReturnType<typeof good>, expected), (error: unknown) => error instanceof MetadataRefusedError && error.code === "ERR_AUTH_METADATA_REFUSED" && message.test(error.message), JSON.stringify(document));
    }
  });

  test("https is required unless NODE_ENV=development", () => {
    const strong = (name: string) => `${name}-Q9vX2mL7pR4tK8nB3cJ6hF1dS5gA0zY`;
    const full = { WORKER_CLIENT_ID: "w", WORKER_CLIENT_SECRET: strong("s"), WORKER_OPERATOR_TOKEN: strong("o"), CONTAINER_CONTROL_TOKEN: strong("c"), REDIS_URL: "redis://127.0.0.1:1" };
    assert.equal(loadWorkerSettings(full).requireHttps, true);
    assert.equal(loadWorkerSettings({ NODE_ENV: "production", ...full }).requireHttps, true);
    assert.equal(loadWorkerSettings({ NODE_ENV: "development" }).requireHttps, false);
  });
});

/** An issuer whose metadata document the test writes. */
async function startDocumentIssuer(document: (url: string) => Record<string, string>, key: SigningKey): Promise<{ url: string; server: Server }> {
  let url = "";
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/oauth-authorization-server") res.end(JSON.stringify(document(url)));
    else if (req.url === "/.well-known/jwks.json") res.end(JSON.stringify({ keys: [key.publicJwk] }));
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server };
}

describe("a worker refuses metadata it must not trust", () => {
  let key: SigningKey;
  const running: { worker: RunningWorkerApi; server: Server }[] = [];
  before(async () => {
    key = await makeKey();
  });
  after(async () => {
    for (const { worker, server } of running) {
      await worker.close();
      server.closeAllConnections();
      server.close();
    }
  });

  async function workerFor(document: (url: string) => Record<string, string>, requireHttps = false) {
    const issuer = await startDocumentIssuer(document, key);
    const worker = await startWorkerApi({ ...NO_CONTAINER, authUrl: issuer.url, redisUrl: null, revocationBus: new InProcessRevocationBus(), requireHttps });
    running.push({ worker, server: issuer.server });
    const token = await mint({ key, issuer: issuer.url, claims: POLECAT });
    return { worker, issuer, token };
  }

  for (const [name, document, requireHttps, message] of [
    ["another issuer", (url: string) => ({ ...good(url), issuer: "http://127.0.0.1:1" }), false, /is not AUTH_ISSUER/],
    ["keys on another origin", (url: string) => ({ ...good(url), jwks_uri: "http://localhost:1/jwks.json" }), false, /jwks_uri .* not on the issuer's origin/],
    ["plain http outside development", (url: string) => good(url), true, /not https/],
  ] as const) {
    test(`${name}: no key is loaded, agent tokens get 503, /readyz says keys missing`, async () => {
      const { worker, token } = await workerFor(document, requireHttps);
      await assert.rejects(worker.keys.refresh(), (error: Error) => error instanceof MetadataRefusedError && message.test(error.message));
      assert.equal(worker.keys.keyCount, 0);
      const answer = await post(heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1"), {}, bearer(token));
      assert.equal(answer.status, 503);
      assert.equal(answer.body.error, "temporarily_unavailable");
      const ready = await get(`${worker.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(ready.body.keys, "missing");
    });
  }

  test("the same issuer with a correct document works (control)", async () => {
    const { worker, token } = await workerFor((url) => good(url));
    assert.equal((await post(heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1"), {}, bearer(token))).status, 202);
  });
});
