import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InProcessRevocationBus } from "@gastown/token-policy";
import { bearerChallenge, CHALLENGE_VALUE_CHARS } from "../src/auth/challenge.js";
import { type RunningWorkerApi, startWorkerApi } from "../src/index.js";
import { bearer, get, heartbeatUrl, post } from "./helpers/http.js";
import { MAYOR, mint, POLECAT, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";
import { NO_CONTAINER } from "./helpers/worker.js";

// Issue 14 / RFC 6750 §3: every WWW-Authenticate challenge of the worker-api is built by one
// function, and every parameter value holds only %x20-21 / %x23-5B / %x5D-7E.
const CHALLENGE = /^Bearer(?: ([a-z_]+)="([^"\\]*)"(?:, ([a-z_]+)="([^"\\]*)")*)?$/;

function assertWellFormed(challenge: string | null, where: string): void {
  assert.ok(challenge !== null, `${where}: a challenge`);
  assert.match(challenge, CHALLENGE, where);
  for (const [, name, text] of challenge.matchAll(/([a-z_]+)="([^"]*)"/g)) {
    assert.ok(["error", "error_description", "error_uri", "scope", "realm"].includes(name ?? ""), `${where}: parameter ${name}`);
    assert.match(text ?? "", CHALLENGE_VALUE_CHARS, `${where}: ${name}`);
  }
}

describe("bearerChallenge", () => {
  test("bare, error, scope", () => {
    assert.equal(bearerChallenge(), "Bearer");
    assert.equal(bearerChallenge({ error: "invalid_token" }), 'Bearer error="invalid_token"');
    assert.equal(bearerChallenge({ error: "insufficient_scope", scope: "agent" }), 'Bearer error="insufficient_scope", scope="agent"');
  });

  test("no text can leave the character set: quotes, backslashes, controls and non-ASCII become ?", () => {
    const hostile = 'a "quoted" \\ path\r\nX-Injected: 1\té\u007f\u0000';
    const challenge = bearerChallenge({ error: "invalid_request", error_description: hostile, scope: ' mayor  "x" ' });
    assert.equal(challenge, 'Bearer error="invalid_request", error_description="a ?quoted? ? path??X-Injected: 1????", scope="mayor ?x?"');
    assertWellFormed(challenge, "hostile text");
    for (let code = 0; code < 0x100; code += 1) assertWellFormed(bearerChallenge({ error_description: String.fromCharCode(code) }), `char ${code}`);
  });
});

describe("every challenge the worker-api sends is well formed", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  const bus = new InProcessRevocationBus();
  before(async () => {
    issuer = await startTestIssuer();
    worker = await startWorkerApi({ ...NO_CONTAINER, authUrl: issuer.url, redisUrl: null, revocationBus: bus });
  });
  after(async () => {
    await worker.close();
    await issuer.close();
  });

  test("each 401 and 403 branch of agent and operator routes", async () => {
    const key = issuer.keys[0]!;
    const sign = (claims: Record<string, unknown>, extra: { expiresIn?: number; nowSec?: number; audience?: string } = {}) => mint({ key, issuer: issuer.url, claims, ...extra });
    const own = heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1");
    const revoked = await sign({ ...POLECAT, sid: "RevokedSession01234567" });
    bus.publish({ sid: "RevokedSession01234567", reason: "admin", until: Math.floor(Date.now() / 1000) + 600 });
    const operator = `${worker.url}/operator/towns/town-1/agents/polecat-1`;
    const cases: [string, () => Promise<{ status: number; challenge: string | null }>, number, string][] = [
      ["no credentials", () => post(own, {}), 401, "Bearer"],
      ["another scheme", () => post(own, {}, "Basic dXNlcjpwYXNz"), 401, "Bearer"],
      ["Bearer alone", () => post(own, {}, "Bearer"), 401, 'Bearer error="invalid_token"'],
      ["not a b64token", () => post(own, {}, 'Bearer a"b'), 401, 'Bearer error="invalid_token"'],
      ["bad signature", async () => post(own, {}, bearer(`${(await sign(POLECAT)).slice(0, -4)}AAAA`)), 401, 'Bearer error="invalid_token"'],
      ["expired", async () => post(own, {}, bearer(await sign(POLECAT, { nowSec: Math.floor(Date.now() / 1000) - 4000, expiresIn: 60 }))), 401, 'Bearer error="invalid_token"'],
      ["wrong audience", async () => post(own, {}, bearer(await sign(POLECAT, { audience: "someone-else" }))), 401, 'Bearer error="invalid_token"'],
      ["revoked", () => post(own, {}, bearer(revoked)), 401, 'Bearer error="invalid_token"'],
      ["mayor tool without mayor", async () => post(`${worker.url}/api/mayor/town-1/tools/list_rigs`, {}, bearer(await sign({ ...MAYOR, scope: "agent" }))), 403, 'Bearer error="insufficient_scope", scope="mayor"'],
      ["agent route without agent", async () => post(own, {}, bearer(await sign({ ...POLECAT, scope: "mayor" }))), 403, 'Bearer error="insufficient_scope", scope="agent"'],
      ["operator: no token", () => get(operator), 401, "Bearer"],
      ["operator: wrong token", () => get(operator, "Bearer wrong"), 401, 'Bearer error="invalid_token"'],
    ];
    for (const [name, send, status, challenge] of cases) {
      const answer = await send();
      assert.equal(answer.status, status, name);
      assertWellFormed(answer.challenge, name);
      assert.equal(answer.challenge, challenge, name);
    }
  });
});
