import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InProcessRevocationBus } from "@gastown/token-policy";
import { base64url, SignJWT } from "jose";
import { type RunningWorkerApi, startWorkerApi } from "../src/index.js";
import { bearer, get, post } from "./helpers/http.js";
import { AUDIENCE, MAYOR, makeKey, mint, POLECAT, REFINERY, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";

let issuer: TestIssuer;
let worker: RunningWorkerApi;

before(async () => {
  issuer = await startTestIssuer();
  worker = await startWorkerApi({
    authUrl: issuer.url,
    redisUrl: null,
    revocationBus: new InProcessRevocationBus(),
    containerUrl: "http://127.0.0.1:9",
    containerControlToken: "unused",
    clientId: "worker",
    clientSecret: "unused",
    logLevel: "silent",
  });
});

after(async () => {
  await worker.close();
  await issuer.close();
});

const token = (claims: Record<string, unknown> = POLECAT, extra: Partial<Parameters<typeof mint>[0]> = {}) =>
  mint({ key: issuer.keys[0]!, issuer: issuer.url, claims, ...extra });

const rigRoute = (town: string, rig: string, agent: string, action = "heartbeat") => `${worker.url}/api/towns/${town}/rigs/${rig}/agents/${agent}/${action}`;

describe("route binding: the token decides who the caller is", () => {
  const cases: { name: string; claims: Record<string, unknown>; path: () => string; status: number; error?: string }[] = [
    { name: "own rig-agent route", claims: POLECAT, path: () => rigRoute("town-1", "rig-1", "polecat-1"), status: 202 },
    { name: "own events route", claims: POLECAT, path: () => rigRoute("town-1", "rig-1", "polecat-1", "events"), status: 202 },
    { name: "own done route", claims: POLECAT, path: () => rigRoute("town-1", "rig-1", "polecat-1", "done"), status: 202 },
    { name: "another agent's route", claims: POLECAT, path: () => rigRoute("town-1", "rig-1", "polecat-2"), status: 403, error: "forbidden" },
    { name: "another town", claims: POLECAT, path: () => rigRoute("town-2", "rig-1", "polecat-1"), status: 403, error: "forbidden" },
    { name: "another rig", claims: POLECAT, path: () => rigRoute("town-1", "rig-2", "polecat-1"), status: 403, error: "forbidden" },
    { name: "rig agent on a town-level route", claims: POLECAT, path: () => `${worker.url}/api/towns/town-1/agents/polecat-1/heartbeat`, status: 403, error: "forbidden" },
    { name: "polecat on a mayor tool", claims: POLECAT, path: () => `${worker.url}/api/mayor/town-1/tools/list_rigs`, status: 403 },
    { name: "town-level agent without mayor scope on a mayor tool", claims: { ...MAYOR, role: "triage", scope: "agent" }, path: () => `${worker.url}/api/mayor/town-1/tools/list_rigs`, status: 403, error: "insufficient_scope" },
    { name: "mayor on its tools", claims: MAYOR, path: () => `${worker.url}/api/mayor/town-1/tools/list_rigs`, status: 202 },
    { name: "mayor on another town's tools", claims: MAYOR, path: () => `${worker.url}/api/mayor/town-2/tools/list_rigs`, status: 403, error: "forbidden" },
    { name: "mayor on its town-level heartbeat", claims: MAYOR, path: () => `${worker.url}/api/towns/town-1/agents/mayor/heartbeat`, status: 202 },
    { name: "mayor on a rig route", claims: MAYOR, path: () => rigRoute("town-1", "rig-1", "mayor"), status: 403, error: "forbidden" },
    { name: "mayor on another town-level agent", claims: MAYOR, path: () => `${worker.url}/api/towns/town-1/agents/deacon/heartbeat`, status: 403, error: "forbidden" },
    { name: "sling into own rig", claims: POLECAT, path: () => `${worker.url}/api/towns/town-1/rigs/rig-1/sling`, status: 202 },
    { name: "sling into another rig", claims: POLECAT, path: () => `${worker.url}/api/towns/town-1/rigs/rig-2/sling`, status: 403, error: "forbidden" },
    { name: "merge callback of own rig", claims: REFINERY, path: () => `${worker.url}/api/towns/town-1/rigs/rig-1/review-queue/entry-9/complete`, status: 202 },
    { name: "merge callback of another rig", claims: REFINERY, path: () => `${worker.url}/api/towns/town-1/rigs/rig-2/review-queue/entry-9/complete`, status: 403, error: "forbidden" },
    { name: "merge callback of another town", claims: REFINERY, path: () => `${worker.url}/api/towns/town-2/rigs/rig-1/review-queue/entry-9/complete`, status: 403, error: "forbidden" },
  ];
  for (const c of cases) {
    test(`${c.name} -> ${c.status}`, async () => {
      const answer = await post(c.path(), { n: 1 }, bearer(await token(c.claims)));
      assert.equal(answer.status, c.status, JSON.stringify(answer.body));
      if (c.error) assert.equal(answer.body.error, c.error);
    });
  }

  test("insufficient scope names the scope in the challenge (RFC 6750 §3.1)", async () => {
    const answer = await post(`${worker.url}/api/mayor/town-1/tools/list_rigs`, {}, bearer(await token({ ...MAYOR, role: "triage", scope: "agent" })));
    assert.equal(answer.challenge, 'Bearer error="insufficient_scope", scope="mayor"');
  });

  test("tool names outside [a-z_]{1,64} are refused", async () => {
    const answer = await post(`${worker.url}/api/mayor/town-1/tools/List-Rigs`, {}, bearer(await token(MAYOR)));
    assert.equal(answer.status, 400);
  });

  test("identity declared in the body or headers is ignored: the record carries the token's", async () => {
    const spoof = { agent_id: "polecat-2", town_id: "town-2", rig_id: "rig-2", role: "mayor", note: "spoof" };
    const answer = await post(rigRoute("town-1", "rig-1", "polecat-1", "completed"), spoof, bearer(await token()), {
      "x-agent-id": "polecat-2",
      "x-forwarded-for": "10.0.0.1",
    });
    assert.equal(answer.status, 202);
    const mine = await get(`${worker.url}/operator/towns/town-1/agents/polecat-1/records`, bearer(worker.operatorToken));
    const completed = (mine.body.records as { kind: string; agent_id: string; town_id: string; rig_id: string; body: unknown }[]).filter((r) => r.kind === "completed");
    assert.equal(completed.length, 1);
    assert.deepEqual(
      { agent_id: completed[0]!.agent_id, town_id: completed[0]!.town_id, rig_id: completed[0]!.rig_id, body: completed[0]!.body },
      { agent_id: "polecat-1", town_id: "town-1", rig_id: "rig-1", body: spoof },
    );
    const theirs = await get(`${worker.url}/operator/towns/town-2/agents/polecat-2/records`, bearer(worker.operatorToken));
    assert.deepEqual(theirs.body.records, []);
  });

  test("bodies must be JSON objects", async () => {
    const auth = bearer(await token());
    assert.equal((await post(rigRoute("town-1", "rig-1", "polecat-1"), "[1,2]", auth)).status, 400);
    assert.equal((await post(rigRoute("town-1", "rig-1", "polecat-1"), "{not json", auth)).status, 400);
    // Another media type is 415 (RFC 9110 §15.5.16, service-kit's one body rule; it was a 400).
    const text = await fetch(rigRoute("town-1", "rig-1", "polecat-1"), { method: "POST", headers: { authorization: auth, "content-type": "text/plain" }, body: "{}" });
    assert.equal(text.status, 415);
  });
});

describe("authentication: bad tokens get 401 with the RFC 6750 challenge", () => {
  const url = () => rigRoute("town-1", "rig-1", "polecat-1");
  const invalid = 'Bearer error="invalid_token"';
  const now = () => Math.floor(Date.now() / 1000);

  const cases: { name: string; authorization: () => Promise<string | undefined>; challenge: string }[] = [
    { name: "no token", authorization: async () => undefined, challenge: "Bearer" },
    { name: "another scheme (Basic)", authorization: async () => `Basic ${Buffer.from("a:b").toString("base64")}`, challenge: "Bearer" },
    { name: "garbage", authorization: async () => "Bearer garbage", challenge: invalid },
    { name: "garbage with three parts", authorization: async () => "Bearer aaa.bbb.ccc", challenge: invalid },
    { name: "not a b64token", authorization: async () => "Bearer <script>", challenge: invalid },
    { name: "empty Bearer", authorization: async () => "Bearer ", challenge: invalid },
    {
      name: "alg: none",
      authorization: async () => {
        const header = base64url.encode(JSON.stringify({ alg: "none", typ: "at+jwt", kid: issuer.keys[0]!.kid }));
        const payload = base64url.encode(JSON.stringify({ ...POLECAT, iss: issuer.url, aud: AUDIENCE, iat: now(), exp: now() + 300, jti: "j", sid: "SpoofSession0123456789", client_id: "c", user_id: "user-1" }));
        return `Bearer ${header}.${payload}.`;
      },
      challenge: invalid,
    },
    {
      name: "HS256 with the public key as the secret",
      authorization: async () => {
        const key = issuer.keys[0]!;
        const claims = { ...POLECAT, sid: "SpoofSession0123456789", client_id: "c", user_id: "user-1" };
        for (const secret of [new TextEncoder().encode(key.publicPem), new TextEncoder().encode(JSON.stringify(key.publicJwk))]) {
          const forged = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: key.kid }).setIssuer(issuer.url).setAudience(AUDIENCE).setIssuedAt().setExpirationTime("5m").setJti("j").sign(secret);
          const answer = await post(url(), {}, bearer(forged));
          assert.equal(answer.status, 401);
        }
        const forged = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: key.kid }).setIssuer(issuer.url).setAudience(AUDIENCE).setIssuedAt().setExpirationTime("5m").setJti("j").sign(new TextEncoder().encode(key.publicPem));
        return bearer(forged);
      },
      challenge: invalid,
    },
    { name: "expired beyond the clock tolerance", authorization: async () => bearer(await token(POLECAT, { nowSec: now() - 3600, expiresIn: 60 })), challenge: invalid },
    { name: "another issuer", authorization: async () => bearer(await mint({ key: issuer.keys[0]!, issuer: "http://127.0.0.1:1", claims: POLECAT })), challenge: invalid },
    { name: "another audience", authorization: async () => bearer(await token(POLECAT, { audience: "someone-else" })), challenge: invalid },
    { name: "typ JWT instead of at+jwt", authorization: async () => bearer(await token(POLECAT, { header: { typ: "JWT" } })), challenge: invalid },
    { name: "signed by an unknown key under a known kid", authorization: async () => bearer(await mint({ key: { ...(await makeKey()), kid: issuer.keys[0]!.kid }, issuer: issuer.url, claims: POLECAT })), challenge: invalid },
    { name: "signed by an unknown key and kid", authorization: async () => bearer(await mint({ key: await makeKey(), issuer: issuer.url, claims: POLECAT })), challenge: invalid },
    { name: "sub differs from agent_id", authorization: async () => bearer(await token({ ...POLECAT, sub: "polecat-2" })), challenge: invalid },
    { name: "missing sid", authorization: async () => bearer(await token({ ...POLECAT, sid: undefined })), challenge: invalid },
    { name: "issued in the future", authorization: async () => bearer(await token(POLECAT, { nowSec: now() + 3600 })), challenge: invalid },
    { name: "payload altered after signing", authorization: async () => {
        const [h, , s] = (await token()).split(".");
        const payload = base64url.encode(JSON.stringify({ ...POLECAT, agent_id: "polecat-1", iss: issuer.url, aud: AUDIENCE, iat: now(), exp: now() + 300, jti: "j", sid: "SpoofSession0123456789", client_id: "c", user_id: "user-1" }));
        return `Bearer ${h}.${payload}.${s}`;
      }, challenge: invalid },
  ];
  for (const c of cases) {
    test(`${c.name} -> 401 ${c.challenge}`, async () => {
      const answer = await post(url(), {}, await c.authorization());
      assert.equal(answer.status, 401);
      assert.equal(answer.challenge, c.challenge);
    });
  }

  test("a token in the query string is not read (RFC 6750 §2.3 is not supported)", async () => {
    const answer = await post(`${url()}?access_token=${await token()}`, {});
    assert.equal(answer.status, 401);
    assert.equal(answer.challenge, "Bearer");
  });

  test("nothing was stored by any refused request", async () => {
    const stored = await get(`${worker.url}/operator/towns/town-2/agents/polecat-1/records`, bearer(worker.operatorToken));
    assert.deepEqual(stored.body.counts, { heartbeat: 0, event: 0, done: 0, completed: 0, sling: 0, merge: 0, tool: 0 });
  });
});
