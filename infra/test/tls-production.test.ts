import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freePort, type RedisServer, startRedisServer, waitFor } from "@gastown/testkit";
import { MAYOR, sentCalls, tally } from "./harness/agents.js";
import { activeSession } from "./harness/checks.js";
import { dispatchAgents } from "./harness/fault-stack.js";
import { requestJson } from "./harness/http-json.js";
import { answers, ServiceProcess } from "./harness/service.js";
import { ProcessStack } from "./harness/stack.js";

// The shipped deployments run by production rules, where worker-api trusts only an https
// issuer (RFC 8414 §2). Here the auth-service answers HTTPS itself (AUTH_TLS_CERT_FILE,
// AUTH_TLS_KEY_FILE) with a certificate of a throwaway CA that the worker-api and the
// supervisor trust through NODE_EXTRA_CA_CERTS (ProcessStack `tls`); every service runs as
// a user starts it (its main, NODE_ENV unset, settings from the environment).
const LIFETIMES = { accessTokenTtl: 3, refreshIdleTtl: 60, sessionMaxTtl: 600, refreshGrace: 2, clockTolerance: 1 };

let redis: RedisServer;
let stack: ProcessStack;
before(async () => {
  redis = await startRedisServer();
  stack = await ProcessStack.start({ redisUrl: redis.url, lifetimes: LIFETIMES, tls: true });
});
after(async () => {
  await stack?.close();
  await redis?.kill(true);
});

test("production over TLS: the worker trusts the https issuer, the Mayor is dispatched and refreshes with zero 401s", async () => {
  for (const service of [stack.auth, stack.worker, stack.supervisor]) assert.equal(service.env.NODE_ENV, undefined, `${service.name} runs by production rules`);
  const metadata = await requestJson(`${stack.authUrl}/.well-known/oauth-authorization-server`, { ca: stack.authCa });
  assert.equal(metadata.status, 200);
  assert.match(stack.authUrl, /^https:/);
  assert.equal(metadata.body.issuer, stack.authUrl);
  assert.equal(metadata.body.token_endpoint, `${stack.authUrl}/oauth2/token`);
  // Plain HTTP on the TLS port is no way in.
  assert.equal(await answers(`${stack.authUrl.replace("https:", "http:")}/healthz`), false);

  await waitFor(async () => (await fetch(`${stack.workerUrl}/readyz`)).status === 200, 20_000, "worker-api ready (keys loaded over https)");
  const [mayor] = await dispatchAgents(stack, [MAYOR]);
  // Three access-token lifetimes: the supervisor refreshes over https at least twice.
  await waitFor(async () => ((await activeSession(stack, MAYOR.agent_id))?.generation ?? 0) >= 2, 30_000, "two refreshes of the Mayor's session", 250);
  const calls = tally(sentCalls(stack.recordDir, MAYOR.agent_id));
  assert.ok(calls.sent > 10, `${calls.sent} callbacks`);
  assert.deepEqual(calls.failed, [], "no callback failed (no 401)");
  assert.deepEqual([...calls.pids], [mayor.pid], "one agent process throughout");
  console.log(`tls-production: ${calls.sent} callbacks, 0 failed, generation ${(await activeSession(stack, MAYOR.agent_id))?.generation}`);
});

test("a worker-api that does not trust the issuer's CA loads no key: agent tokens cannot pass", async () => {
  const port = await freePort();
  const worker = stack.worker;
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
