import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { waitFor } from "@gastown/testkit";
import { Redis } from "ioredis";
import { MAYOR, polecat, sentCalls, TOWN, tally } from "./harness/agents.js";
import { activeSession, agentPid, assertEveryCallbackStored, waitForRotation } from "./harness/checks.js";
import { dispatchAgents } from "./harness/fault-stack.js";
import { requestJson } from "./harness/http-json.js";
import { NetnsLab, netnsUnavailable, sweepLeftovers } from "./harness/netns.js";
import { NamespaceRelay } from "./harness/ns-relay.js";
import { ServiceProcess } from "./harness/service.js";
import { ProcessStack } from "./harness/stack.js";

// DESIGN.md "Deployments beyond one machine": each service on a host of its own (a network
// namespace), Redis on another, all on one bridge in 198.18.0.0/24; the test reaches them
// from a "client" host through a relay, so its own namespace gets no address and no route.
// Every service gets real secrets and runs with NODE_ENV unset (production rules), as the
// manifests deploy them: the auth-service answers HTTPS with a throwaway CA's certificate,
// which the worker-api and the supervisor trust (ProcessStack `tls`).
const ADDRESS = { redis: "198.18.0.10", auth: "198.18.0.11", worker: "198.18.0.12", container: "198.18.0.13", client: "198.18.0.2" } as const;
const PORT = { redis: 6379, auth: 4000, worker: 4100, container: 4200 } as const;
type Service = "auth" | "worker" | "container";
const SERVICES: Service[] = ["auth", "worker", "container"];
// Refresh-ahead at ~2.4-2.7 s of a 3 s token: three refreshes per agent within ~8 s.
const LIFETIMES = { accessTokenTtl: 3, refreshIdleTtl: 60, sessionMaxTtl: 600, refreshGrace: 2, clockTolerance: 1 };

/** What the test made, undone in this order after it (also when it fails). */
const made: { lab?: NetnsLab; dir?: string; relay?: NamespaceRelay; client?: Redis; redis?: ServiceProcess; stack?: ProcessStack } = {};
after(async () => {
  made.client?.disconnect();
  await made.stack?.close();
  await made.redis?.stop();
  await made.relay?.close();
  await made.lab?.close();
  if (made.dir) rmSync(made.dir, { recursive: true, force: true });
});

/** redis-server on its host, password from a config file (0600: not on its command line). */
async function startRedis(on: NetnsLab, client: Redis, password: string, workDir: string): Promise<ServiceProcess> {
  const conf = join(workDir, "redis.conf");
  mkdirSync(join(workDir, "redis"));
  const lines = [`bind ${ADDRESS.redis}`, `port ${PORT.redis}`, 'save ""', "appendonly no", `dir ${join(workDir, "redis")}`, `requirepass ${password}`];
  writeFileSync(conf, `${lines.join("\n")}\n`, { mode: 0o600 });
  const server = new ServiceProcess("redis", [conf], { PATH: process.env.PATH }, async () => (await client.ping().catch(() => "")) === "PONG", [...on.exec("redis"), "redis-server"]);
  await server.start();
  return server;
}

/** The agent's current access token, read as root from the file its environment names. */
function tokenOf(pid: number): string {
  const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  const file = env.find((e) => e.startsWith("GASTOWN_SESSION_TOKEN_FILE="))!.slice("GASTOWN_SESSION_TOKEN_FILE=".length);
  return readFileSync(file, "utf8").trim();
}

/** A polecat-1 heartbeat with `token` at the worker-api; answers status and error_description. */
async function heartbeatWith(workerUrl: string, token: string): Promise<{ status: number; description?: string }> {
  const res = await fetch(`${workerUrl}/api/towns/${TOWN}/rigs/rig-1/agents/polecat-1/heartbeat`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ probe: true }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await res.json().catch(() => ({}))) as { error_description?: string };
  return { status: res.status, description: body.error_description };
}

test("each service on its own host (network namespaces on a bridge, Redis on another): dispatch, refreshes and a revocation across them", { timeout: 110_000 }, async (t) => {
  const unavailable = await netnsUnavailable();
  if (unavailable !== undefined) {
    console.log(`SKIPPED: this machine cannot create network namespaces: ${unavailable}`);
    t.skip(`this machine cannot create network namespaces: ${unavailable}`);
    return;
  }
  const started = Date.now();
  const swept = await sweepLeftovers();
  const lab = await NetnsLab.create(ADDRESS);
  made.lab = lab;
  const dir = mkdtempSync(join(tmpdir(), "gt-netns-"));
  made.dir = dir;
  const targets = { redis: { host: ADDRESS.redis, port: PORT.redis }, auth: { host: ADDRESS.auth, port: PORT.auth }, worker: { host: ADDRESS.worker, port: PORT.worker }, container: { host: ADDRESS.container, port: PORT.container } };
  const relay = await NamespaceRelay.start(lab.exec("client"), dir, targets);
  made.relay = relay;
  const password = randomBytes(24).toString("base64url");
  const client = new Redis({ host: "127.0.0.1", port: relay.port("redis"), password, lazyConnect: true, maxRetriesPerRequest: 1 });
  made.client = client;
  client.on("error", () => {});
  made.redis = await startRedis(lab, client, password, dir);
  const place = (service: Service) => ({ host: ADDRESS[service], port: PORT[service], launcher: lab.exec(service), testUrl: relay.url(service) });
  const stack = await ProcessStack.start({
    redisUrl: `redis://:${password}@${ADDRESS.redis}:${PORT.redis}`,
    lifetimes: LIFETIMES,
    placement: { auth: place("auth"), worker: place("worker"), container: place("container") },
    tls: true,
  });
  made.stack = stack;

  // (1) Ready at its own address, seen from another host; nothing on 127.0.0.1 in its namespace.
  assert.match(stack.authUrl, /^https:/, "the issuer is served over TLS");
  for (const service of [stack.auth, stack.worker, stack.supervisor]) assert.equal(service.env.NODE_ENV, undefined, `${service.name} runs by production rules`);
  for (const service of SERVICES) {
    const url = service === "auth" ? stack.authUrl : relay.url(service);
    const ready = await waitFor(async () => {
      const res = await requestJson(`${url}/readyz`, { ca: stack.authCa, timeoutMs: 2_000 }).catch(() => undefined);
      return res?.status === 200 ? res.body : undefined;
    }, 20_000, `${service} ready`);
    assert.equal(ready.status, "ok", `${service} /readyz: ${JSON.stringify(ready)}`);
    assert.equal(await lab.connectFrom(service, ADDRESS[service], PORT[service]), "connected", `${service} listens on ${ADDRESS[service]}`);
    assert.equal(await lab.connectFrom(service, "127.0.0.1", PORT[service]), "ECONNREFUSED", `${service} does not listen on 127.0.0.1 in its namespace`);
  }
  assert.equal(await lab.connectFrom("redis", "127.0.0.1", PORT.redis), "ECONNREFUSED", "redis binds only its address");

  // (2) Dispatch through the worker's operator API; the agents run in the container's namespace.
  const [mayor, pole] = await dispatchAgents(stack, [MAYOR, polecat(1)]);

  // (3) Three refreshes each (container -> auth), same sessions and processes, every callback answered.
  for (const agent of [mayor, pole]) {
    const session = await waitForRotation(stack, agent.agentId, 2, 30_000);
    assert.equal(session.session_id, agent.sessionId, `${agent.agentId}: refreshed, not re-dispatched`);
    assert.equal(await agentPid(stack, agent.agentId), agent.pid, `${agent.agentId}: same process`);
  }
  const refreshesBefore = { mayor: (await activeSession(stack, "mayor"))!.generation, polecat: (await activeSession(stack, "polecat-1"))!.generation };
  for (const agent of [mayor, pole]) {
    const calls = tally(sentCalls(stack.recordDir, agent.agentId));
    assert.ok(calls.sent >= 5, `${agent.agentId} called back (${calls.sent})`);
    assert.deepEqual(calls.failed, [], `${agent.agentId}: no callback refused`);
  }

  // (4) Revoke the polecat's session (admin API): the worker refuses its access token within 1 s.
  const previous = tokenOf(pole.pid);
  const token = await waitFor(() => {
    const current = tokenOf(pole.pid);
    return current !== previous ? current : undefined;
  }, 10_000, "a freshly refreshed polecat token", 20);
  assert.equal((await heartbeatWith(stack.workerUrl, token)).status, 202, "the polecat's current token works before the revocation");
  const supervisorLines = stack.supervisor.lines.length;
  const revoke = await stack.revokeSession(pole.sessionId);
  const answeredAt = Date.now();
  assert.deepEqual([revoke.status, revoke.body], [200, { revoked: 1 }]);
  const refused = await waitFor(async () => {
    const res = await heartbeatWith(stack.workerUrl, token);
    return res.status === 401 ? { ...res, at: Date.now() } : undefined;
  }, 5_000, "the revoked token refused", 10);
  const revocationDelayMs = refused.at - answeredAt;
  assert.equal(refused.description, "the session was revoked", "refused as revoked, not as expired");
  assert.ok(revocationDelayMs <= 1_000, `refused ${revocationDelayMs} ms after the revocation answer`);
  const stopped = await waitFor(async () => {
    const view = await stack.view("polecat-1");
    return view.state === "stopped" ? view : undefined;
  }, 10_000, "the worker stopping the polecat");
  assert.equal(stopped.stop_reason, "revoked: admin");
  assert.deepEqual(tally(sentCalls(stack.recordDir, "polecat-1").filter((c) => c.at < answeredAt)).failed, [], "no polecat callback refused before its revocation");

  // The Mayor keeps working: two more refreshes, every later callback answered, same process.
  await waitForRotation(stack, "mayor", refreshesBefore.mayor + 1, 15_000);
  assert.equal(await agentPid(stack, "mayor"), mayor.pid);
  const later = sentCalls(stack.recordDir, "mayor").filter((c) => c.at > answeredAt);
  assert.ok(later.length >= 5, `the Mayor called back after the revocation (${later.length})`);
  const mayorRefreshes = (await activeSession(stack, "mayor"))!.generation;

  // (5) The sessions live in the Redis on its own host.
  const keys: string[] = [];
  for await (const batch of client.scanStream({ match: `${stack.prefix}*`, count: 1000 })) keys.push(...(batch as string[]));
  const mayorKeys = keys.filter((k) => k.includes(`{${mayor.sessionId}}`));
  assert.ok(mayorKeys.length > 0, `the Mayor's session keys in Redis at ${ADDRESS.redis} (${keys.length} keys under the prefix)`);

  // Every Mayor callback was stored; no supervisor callback failed before the revocation.
  const figures = await assertEveryCallbackStored(stack, ["mayor"], stack.supervisor.lines.slice(0, supervisorLines));
  assert.deepEqual(figures.mayor!.pids, [mayor.pid], "the Mayor: one process throughout");
  console.log(
    [
      "each service on its own host",
      `  hosts                   redis ${ADDRESS.redis}, auth ${ADDRESS.auth}, worker ${ADDRESS.worker}, container ${ADDRESS.container}, test client ${ADDRESS.client}${swept.length ? `; swept leftovers ${swept.join(", ")}` : ""}`,
      `  refreshes               mayor ${mayorRefreshes} (${refreshesBefore.mayor} before the revocation), polecat-1 ${refreshesBefore.polecat} before its revocation; same PIDs, 0 refused callbacks`,
      `  revocation              polecat-1's token refused ${revocationDelayMs} ms after the admin answer; the worker stopped it (${stopped.stop_reason})`,
      `  callbacks               mayor ${figures.mayor!.sent} sent, ${figures.mayor!.failed} failed; ${keys.length} keys under the prefix in Redis (${mayorKeys.length} of the Mayor's session)`,
      `  duration                ${((Date.now() - started) / 1000).toFixed(1)} s`,
    ].join("\n"),
  );
});
