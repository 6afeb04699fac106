import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { type RunningSupervisor, startSupervisor } from "@gastown/container-client";
import { DEVELOPMENT, deleteKeys, freePort, randomPrefix, randomUidRange, testRedisUrl, waitFor } from "@gastown/testkit";
import type { PolicyOverrides } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { type AgentRecords, type RunningWorkerApi, startWorkerApi } from "../src/index.js";
import { adminSession } from "./helpers/auth.js";
import { bearer, get, post } from "./helpers/http.js";

// Renewal margin = max(0.2 x min(10, 8) s, 1 s) = 1.6 s: renewed about 6.4 s after the dispatch.
const POLICY: PolicyOverrides = { accessTokenTtl: 10, sessionMaxTtl: 8 };
const CONTROL_TOKEN = "e2e-control-token";

describe("end to end: real auth-service, Redis, supervisor and sample agent", () => {
  let auth: RunningAuthService;
  let supervisor: RunningSupervisor;
  let worker: RunningWorkerApi;
  let redis: Redis;
  const prefix = randomPrefix("we2e");

  before(async () => {
    const redisUrl = await testRedisUrl();
    redis = new Redis(redisUrl);
    auth = await startAuthService({ env: DEVELOPMENT, redisUrl, prefix, policyOverrides: POLICY, port: 0, logLevel: "silent" });
    const workerPort = await freePort();
    const { defaultAgentCommand } = await import("@gastown/container-client");
    supervisor = await startSupervisor({
      env: {},
      port: 0,
      controlToken: CONTROL_TOKEN,
      apiUrl: `http://127.0.0.1:${workerPort}`,
      authUrl: auth.url,
      policyOverrides: { ...POLICY, issuer: auth.policy.issuer },
      agentCommand: [...defaultAgentCommand(), "--interval-ms", "200"],
      // Uids of this test's own: another test's supervisor sweeping the default range never kills this agent.
      ...(process.getuid?.() === 0 ? { agentUids: randomUidRange() } : {}),
      logLevel: "silent",
    });
    const client = auth.dispatcherClients[0]!;
    worker = await startWorkerApi({
      env: {},
      port: workerPort,
      authUrl: auth.url,
      policyOverrides: { ...POLICY, issuer: auth.policy.issuer },
      redisUrl,
      prefix,
      containerUrl: supervisor.url,
      containerControlToken: CONTROL_TOKEN,
      clientId: client.id,
      clientSecret: client.secret,
      supersededRevokeDelayMs: 300,
      logLevel: "silent",
    });
  });

  after(async () => {
    await worker.close();
    await supervisor.close();
    await auth.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const containerStatus = async (agentId: string) => (await get(`${supervisor.url}/agents/${agentId}`, bearer(CONTROL_TOKEN))).body;
  const records = async (agentId: string) => (await get(`${worker.url}/operator/towns/town-1/agents/${agentId}/records`, bearer(worker.operatorToken))).body as unknown as AgentRecords;

  test("a session near its absolute end is replaced by a push: same PID, calls keep succeeding", async () => {
    const started = await post(`${worker.url}/operator/towns/town-1/agents`, { agent_id: "polecat-1", rig_id: "rig-1", user_id: "user-1", role: "polecat" }, bearer(worker.operatorToken));
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const firstSession = started.body.session_id as string;
    const pid = await waitFor(async () => (await containerStatus("polecat-1")).pid as number | undefined, 10_000, "agent pid");
    // The agent calls back with its first session.
    await waitFor(async () => (await records("polecat-1")).events.some((e) => e.session_id === firstSession), 10_000, "calls on the first session");

    const renewed = await waitFor(async () => {
      const view = (await get(`${worker.url}/operator/towns/town-1/agents/polecat-1`, bearer(worker.operatorToken))).body;
      return (view.renewals as number) >= 1 ? view : undefined;
    }, 20_000, "renewal");
    assert.equal((renewed.last_renewal as { reason: string }).reason, "absolute_end");
    const secondSession = renewed.session_id as string;
    assert.notEqual(secondSession, firstSession);

    // The agent keeps calling, now with the pushed session, from the same process.
    await waitFor(async () => (await records("polecat-1")).events.some((e) => e.session_id === secondSession), 10_000, "calls on the new session");
    const status = await containerStatus("polecat-1");
    assert.equal(status.pid, pid, "the agent was never restarted");
    assert.equal(status.state, "running");
    assert.equal((status.session as { session_id: string }).session_id, secondSession);

    const old = await waitFor(async () => {
      const session = await adminSession(auth, firstSession);
      return session.state !== "active" ? session : undefined;
    }, 10_000, "old session ended");
    assert.deepEqual([old.state, old.revoke_reason], ["revoked", "superseded"]);
  });
});
