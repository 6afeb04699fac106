import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { DEVELOPMENT, deleteKeys, randomPrefix, testRedisUrl, waitFor } from "@gastown/testkit";
import { InProcessRevocationBus, revokedReasonKey, revokedSetKey } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { InProcessRevocationSync, RevocationList, type RunningWorkerApi, startWorkerApi, type TokenPair } from "../src/index.js";
import { adminRevoke, refresh, revokeRefreshToken } from "./helpers/auth.js";
import { type FakeContainer, startFakeContainer } from "./helpers/fake-container.js";
import { bearer, get, post } from "./helpers/http.js";
import { type RedisProxy, startRedisProxy } from "./helpers/redis-proxy.js";

/**
 * DESIGN.md "Revocation reasons": admin and client revocations are final even when the
 * worker missed their pub/sub message and learns of them by resync (or not at all yet):
 * the agent is stopped, never renewed. The worker reaches Redis through a proxy that the
 * test cuts across the revocation; the auth-service publishes on a direct connection.
 */
interface Stack {
  auth: RunningAuthService;
  fake: FakeContainer;
  worker: RunningWorkerApi;
  proxy: RedisProxy;
  admin: Redis;
  prefix: string;
}

let stack: Stack | undefined;

async function startStack(): Promise<Stack> {
  const redisUrl = await testRedisUrl();
  const prefix = randomPrefix("wmiss");
  const admin = new Redis(redisUrl);
  const proxy = await startRedisProxy(redisUrl);
  const auth = await startAuthService({ env: DEVELOPMENT, redisUrl, prefix, port: 0, logLevel: "silent" });
  const fake = await startFakeContainer();
  const client = auth.dispatcherClients[0]!;
  const worker = await startWorkerApi({
    env: {},
    authUrl: auth.url,
    policyOverrides: { issuer: auth.policy.issuer },
    redisUrl: proxy.url,
    prefix,
    containerUrl: fake.url,
    containerControlToken: fake.token,
    clientId: client.id,
    clientSecret: client.secret,
    supersededRevokeDelayMs: 300,
    // The tests drive the reconcile themselves; only the resync runs on its own.
    reconcileIntervalMs: 600_000,
    revocationResyncIntervalMs: 200,
    logLevel: "silent",
  });
  stack = { auth, fake, worker, proxy, admin, prefix };
  return stack;
}

afterEach(async () => {
  if (!stack) return;
  const { auth, fake, worker, proxy, admin, prefix } = stack;
  stack = undefined;
  proxy.restore();
  await worker.close();
  await fake.close();
  await auth.close();
  await proxy.close();
  await deleteKeys(admin, prefix);
  admin.disconnect();
});

const POLECAT = { agent_id: "polecat-1", rig_id: "rig-1", user_id: "user-1", role: "polecat" };
const MAYOR = { agent_id: "mayor", user_id: "user-1", role: "mayor" };

async function operatorStart(s: Stack, body: Record<string, unknown>): Promise<TokenPair> {
  const answer = await post(`${s.worker.url}/operator/towns/town-1/agents`, { prompt: "work", ...body }, bearer(s.worker.operatorToken));
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return s.fake.calls.find((c) => c.path === "/agents/start" && c.body?.agent_id === body.agent_id)!.body!.tokens as TokenPair;
}

async function view(s: Stack, agentId: string): Promise<Record<string, unknown>> {
  return (await get(`${s.worker.url}/operator/towns/town-1/agents/${agentId}`, bearer(s.worker.operatorToken))).body;
}

/** Lets any in-flight delivery land (there is none to a cut subscriber). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("a revocation whose message the worker missed", () => {
  test("admin: the resync reads its reason and the agent is stopped, not renewed (also while the reason cannot be read)", async () => {
    const s = await startStack();
    const pair = await operatorStart(s, POLECAT);
    s.proxy.cut();
    await adminRevoke(s.auth, pair.session_id);
    s.fake.agents.get("polecat-1")!.lost = true; // the container's next refresh failed
    await settle();
    assert.equal(s.worker.revocations.isRevoked(pair.session_id), false, "the message was missed");
    // The reconcile sees the session lost but cannot tell why (Redis unreachable): no renewal.
    await s.worker.dispatcher.reconcile();
    assert.equal(s.fake.count("PUT", "/tokens"), 0);
    s.proxy.restore();
    await waitFor(async () => (await view(s, "polecat-1")).state === "stopped", 10_000, "agent stopped");
    const known = await view(s, "polecat-1");
    assert.equal(known.stop_reason, "revoked: admin");
    assert.equal(known.renewals, 0);
    assert.equal(known.session_id, pair.session_id);
    assert.equal(s.worker.revocations.reasonOf(pair.session_id), "admin");
    assert.ok(s.fake.count("DELETE", "/agents/polecat-1") >= 1, "stopped in the container");
    await s.worker.dispatcher.reconcile();
    assert.equal(s.fake.count("PUT", "/tokens"), 0, "never renewed");
    assert.equal(s.fake.count("POST", "/agents/start"), 1, "never started again");
  });

  test("reuse_detected: the resync delivers the reason and the agent is renewed by a push", async () => {
    const s = await startStack();
    const first = await operatorStart(s, POLECAT);
    s.proxy.cut();
    const r1 = (await refresh(s.auth, first.refresh_token)).body.refresh_token as string;
    assert.equal((await refresh(s.auth, r1)).status, 200);
    assert.equal((await refresh(s.auth, first.refresh_token)).body.error, "invalid_grant"); // reuse
    await settle();
    assert.equal(s.worker.revocations.isRevoked(first.session_id), false, "the message was missed");
    s.proxy.restore();
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 10_000, "renewal after the missed reuse");
    const known = await view(s, "polecat-1");
    assert.equal(known.state, "running");
    assert.equal((known.last_renewal as { reason: string }).reason, "reuse_detected");
    assert.notEqual(known.session_id, first.session_id);
    assert.equal(s.fake.count("POST", "/agents/start"), 1, "never restarted");
  });

  test("the reconcile never renews a lost session revoked by an admin, even before any resync saw it", async () => {
    const s = await startStack();
    const pair = await operatorStart(s, POLECAT);
    s.proxy.cut();
    await adminRevoke(s.auth, pair.session_id);
    // Message missed, and the resync has not seen the id yet: only the reason key knows.
    await s.admin.zrem(revokedSetKey(s.prefix), pair.session_id);
    assert.equal(await s.admin.get(revokedReasonKey(s.prefix, pair.session_id)), "admin");
    s.fake.agents.get("polecat-1")!.lost = true;
    s.proxy.restore();
    await s.worker.dispatcher.reconcile();
    const known = await view(s, "polecat-1");
    assert.equal(known.state, "stopped");
    assert.equal(known.stop_reason, "revoked: admin");
    assert.equal(s.fake.count("PUT", "/tokens"), 0);
    assert.equal(s.fake.count("DELETE", "/agents/polecat-1"), 1);
  });

  test("sendMayorMessage never pushes a fresh pair over a client revocation: 409, the agent is stopped", async () => {
    const s = await startStack();
    const pair = await operatorStart(s, MAYOR);
    s.proxy.cut();
    await revokeRefreshToken(s.auth, pair.refresh_token); // RFC 7009 by the container client: reason client
    await s.admin.zrem(revokedSetKey(s.prefix), pair.session_id);
    s.fake.agents.get("mayor")!.lost = true;
    s.proxy.restore();
    const messages = `${s.worker.url}/operator/towns/town-1/agents/mayor/messages`;
    for (const prompt of ["hello", "again"]) {
      const answer = await post(messages, { prompt }, bearer(s.worker.operatorToken));
      assert.equal(answer.status, 409, JSON.stringify(answer.body));
      assert.equal(answer.body.error, "agent_revoked");
    }
    const known = await view(s, "mayor");
    assert.equal(known.state, "stopped");
    assert.equal(known.stop_reason, "revoked: client");
    assert.equal(s.fake.calls.filter((c) => c.path.endsWith("/message")).length, 0, "nothing delivered");
    assert.equal(s.fake.count("PUT", "/tokens"), 0);
    assert.equal(s.fake.count("POST", "/agents/start"), 1);
  });

  test("a session the store lost (no revocation known) is still renewed by the reconcile", async () => {
    const s = await startStack();
    const pair = await operatorStart(s, POLECAT);
    s.fake.agents.get("polecat-1")!.lost = true;
    await s.worker.dispatcher.reconcile();
    await waitFor(() => s.fake.count("PUT", "/tokens") >= 1, 10_000, "renewal of a lost session");
    const known = await view(s, "polecat-1");
    assert.equal((known.last_renewal as { reason: string }).reason, "lost");
    assert.notEqual(known.session_id, pair.session_id);
  });
});

describe("in-process revocations keep their reasons", () => {
  test("events published before the start arrive with their reason; reasonOf reads the bus", async () => {
    const bus = new InProcessRevocationBus();
    const nowSec = () => Math.floor(Date.now() / 1000);
    bus.publish({ sid: "s-admin", reason: "admin", until: nowSec() + 60 });
    const list = new RevocationList(nowSec);
    const seen: string[] = [];
    list.onEvent((event) => seen.push(`${event.sid}:${event.reason}`));
    const sync = new InProcessRevocationSync(bus, list, nowSec);
    await sync.start();
    try {
      assert.deepEqual(seen, ["s-admin:admin"]);
      assert.equal(list.reasonOf("s-admin"), "admin");
      assert.equal(await sync.reasonOf("s-admin"), "admin");
      assert.equal(await sync.reasonOf("s-unknown"), undefined);
    } finally {
      await sync.close();
    }
  });
});
