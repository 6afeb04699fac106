import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort, makeTestCertificates, type RedisServer, randomPrefix, randomUidRange, startRedisServer, type TestCertificates, waitFor } from "@gastown/testkit";
import { MAYOR, makeRecordDir, sentCalls, TOWN, tally } from "./harness/agents.js";
import { makeSecrets, type StackSecrets } from "./harness/keys.js";
import { answers, ServiceProcess } from "./harness/service.js";
import { CALLBACK_AGENT } from "./harness/stack.js";

// The shipped deployments run NODE_ENV=production, where worker-api trusts only an https
// issuer (RFC 8414 §2). Here the auth-service answers HTTPS itself (AUTH_TLS_CERT_FILE,
// AUTH_TLS_KEY_FILE) with a certificate of a throwaway CA that the worker-api and the
// supervisor trust through NODE_EXTRA_CA_CERTS; every service runs as a user starts it
// (its main, production, settings from the environment).
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const entry = (pkg: string) => [join(ROOT, pkg, "dist/main.js")];

/** GET over https trusting only `ca` (the test process itself was started without NODE_EXTRA_CA_CERTS). */
function httpsJson(url: string, ca: Buffer, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 5_000 }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on("error", reject);
    req.end();
  });
}

let redis: RedisServer;
let certs: TestCertificates;
let ca: Buffer;
let dir: string;
let secrets: StackSecrets;
let authUrl: string;
let workerUrl: string;
let containerUrl: string;
let recordDir: string;
const services: ServiceProcess[] = [];

before(async () => {
  redis = await startRedisServer();
  certs = makeTestCertificates(["127.0.0.1"]);
  ca = readFileSync(certs.caFile);
  dir = mkdtempSync(join(tmpdir(), "gt-tls-"));
  // The agents (their own uids) pass through to the record directory, and see nothing else here.
  chmodSync(dir, 0o711);
  secrets = makeSecrets(dir);
  recordDir = makeRecordDir(join(dir, "calls"));
  const [authPort, workerPort, containerPort] = [await freePort(), await freePort(), await freePort()];
  authUrl = `https://127.0.0.1:${authPort}`;
  workerUrl = `http://127.0.0.1:${workerPort}`;
  containerUrl = `http://127.0.0.1:${containerPort}`;
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    REDIS_URL: redis.url,
    REDIS_PREFIX: randomPrefix("tls"),
    GASTOWN_ACCESS_TOKEN_TTL: "3",
    GASTOWN_REFRESH_GRACE: "2",
    GASTOWN_CLOCK_TOLERANCE: "1",
    AUTH_ISSUER: authUrl,
  };
  const { first, last } = randomUidRange();
  services.push(
    new ServiceProcess(
      "auth-service",
      entry("auth-service"),
      {
        ...base,
        AUTH_PORT: String(authPort),
        AUTH_TLS_CERT_FILE: certs.certFile,
        AUTH_TLS_KEY_FILE: certs.keyFile,
        AUTH_TOKEN_SECRET: secrets.tokenSecret,
        AUTH_ADMIN_TOKEN: secrets.adminToken,
        AUTH_DISPATCHER_CLIENTS: `${secrets.workerClientId}:${secrets.workerClientSecret}`,
        AUTH_SIGNING_KEYS_FILE: secrets.signingKeysFile,
      },
      async () => (await httpsJson(`${authUrl}/healthz`, ca).catch(() => ({ status: 0 }))).status === 200,
    ),
    new ServiceProcess(
      "worker-api",
      entry("worker-api"),
      {
        ...base,
        NODE_EXTRA_CA_CERTS: certs.caFile,
        WORKER_PORT: String(workerPort),
        WORKER_CLIENT_ID: secrets.workerClientId,
        WORKER_CLIENT_SECRET: secrets.workerClientSecret,
        WORKER_OPERATOR_TOKEN: secrets.operatorToken,
        CONTAINER_CONTROL_TOKEN: secrets.controlToken,
        CONTAINER_URL: containerUrl,
      },
      () => answers(`${workerUrl}/healthz`, {}, 200),
    ),
    new ServiceProcess(
      "supervisor",
      entry("container-client"),
      {
        ...base,
        NODE_EXTRA_CA_CERTS: certs.caFile,
        CONTAINER_PORT: String(containerPort),
        CONTAINER_CONTROL_TOKEN: secrets.controlToken,
        GASTOWN_API_URL: workerUrl,
        CONTAINER_AGENT_UIDS: `${first}-${last}`,
        AGENT_COMMAND: [process.execPath, CALLBACK_AGENT, "--interval-ms", "200", "--record-dir", recordDir].join(" "),
      },
      () => answers(`${containerUrl}/agents/none`, { headers: { authorization: `Bearer ${secrets.controlToken}` } }, 404),
    ),
  );
  for (const service of services) await service.start();
});

after(async () => {
  for (const service of [...services].reverse()) await service.stop();
  await redis?.kill(true);
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

test("production over TLS: the worker trusts the https issuer, the Mayor is dispatched and refreshes with zero 401s", async () => {
  const metadata = await httpsJson(`${authUrl}/.well-known/oauth-authorization-server`, ca);
  assert.equal(metadata.status, 200);
  assert.equal(metadata.body.issuer, authUrl);
  assert.equal(metadata.body.token_endpoint, `${authUrl}/oauth2/token`);
  // Plain HTTP on the TLS port is no way in.
  assert.equal(await answers(`${authUrl.replace("https:", "http:")}/healthz`), false);

  await waitFor(async () => (await fetch(`${workerUrl}/readyz`)).status === 200, 20_000, "worker-api ready (keys loaded over https)");
  const dispatch = await fetch(`${workerUrl}/operator/towns/${TOWN}/agents`, {
    method: "POST",
    headers: { authorization: `Bearer ${secrets.operatorToken}`, "content-type": "application/json" },
    body: JSON.stringify(MAYOR),
  });
  assert.equal(dispatch.status, 201, await dispatch.text());

  // Three access-token lifetimes: the supervisor refreshes over https at least twice.
  const sessions = async () => (await httpsJson(`${authUrl}/admin/sessions?agent_id=${MAYOR.agent_id}&limit=10`, ca, secrets.adminToken)).body.sessions as { generation: number }[];
  await waitFor(async () => ((await sessions())[0]?.generation ?? 0) >= 2, 30_000, "two refreshes of the Mayor's session", 250);
  const calls = tally(sentCalls(recordDir, MAYOR.agent_id));
  assert.ok(calls.sent > 10, `${calls.sent} callbacks`);
  assert.deepEqual(calls.failed, [], "no callback failed (no 401)");
  assert.equal(calls.pids.size, 1, "one agent process throughout");
  console.log(`tls-production: ${calls.sent} callbacks, 0 failed, generation ${(await sessions())[0]?.generation}`);
});

test("a worker-api that does not trust the issuer's CA loads no key: agent tokens cannot pass", async () => {
  const port = await freePort();
  const worker = services.find((s) => s.name === "worker-api")!;
  const untrusting = new ServiceProcess("worker-api-untrusting", worker.args, { ...worker.env, NODE_EXTRA_CA_CERTS: undefined, WORKER_PORT: String(port) }, () =>
    answers(`http://127.0.0.1:${port}/healthz`, {}, 200),
  );
  await untrusting.start();
  try {
    const ready = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      const body = (await res.json()) as Record<string, unknown>;
      return body.keys === "missing" ? { status: res.status, body } : undefined;
    }, 10_000, "readyz to report the keys missing");
    assert.equal(ready.status, 503);
  } finally {
    await untrusting.stop();
  }
});
