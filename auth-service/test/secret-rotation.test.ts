import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEVELOPMENT, deleteKeys, randomPrefix, testRedisUrl } from "@gastown/testkit";
import { Redis } from "ioredis";
import { type RunningAuthService, startAuthService } from "../src/index.js";
import { BASIC, CONTAINER, DEFAULT_AGENT, DISPATCH } from "./harness.js";

const SECRET_A = "secret-A-0123456789abcdefghijklmnopqrstuv";
const SECRET_B = "secret-B-0123456789abcdefghijklmnopqrstuv";

async function token(service: RunningAuthService, body: Record<string, string>, basic = false): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${service.url}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(basic ? { Authorization: BASIC } : {}) },
    body: new URLSearchParams(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const refresh = (service: RunningAuthService, refreshToken: string) => token(service, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: CONTAINER });

describe("AUTH_TOKEN_SECRET rotation (a new secret in front)", () => {
  it("keeps every live session working; new tokens are made with the new secret", async () => {
    const redisUrl = await testRedisUrl();
    const prefix = randomPrefix("auth");
    const start = (secrets: string) => startAuthService({ env: { ...DEVELOPMENT, AUTH_TOKEN_SECRET: secrets }, redisUrl, prefix, port: 0, logLevel: "silent" });
    try {
      const withA = await start(SECRET_A);
      const sessions: Record<string, string>[] = [];
      try {
        for (let i = 0; i < 5; i++) {
          const dispatched = await token(withA, { grant_type: DISPATCH, ...DEFAULT_AGENT, agent_id: `agent-${i}` }, true);
          assert.equal(dispatched.status, 200);
          sessions.push(dispatched.body);
        }
        // One of them has rotated once under A already.
        const rotated = await refresh(withA, sessions[0]!.refresh_token!);
        assert.equal(rotated.status, 200);
        sessions[0] = rotated.body;
      } finally {
        await withA.close();
      }

      const withBA = await start(`${SECRET_B},${SECRET_A}`);
      const madeWithB: string[] = [];
      try {
        for (const session of sessions) {
          const next = await refresh(withBA, session.refresh_token!);
          assert.equal(next.status, 200, JSON.stringify(next.body));
          assert.equal(next.body.session_id, session.session_id);
          madeWithB.push(next.body.refresh_token!);
        }
      } finally {
        await withBA.close();
      }

      // Proof that B made them: a service holding only A does not accept them, and changes nothing.
      const onlyA = await start(SECRET_A);
      try {
        for (const refreshToken of madeWithB) {
          const refused = await refresh(onlyA, refreshToken);
          assert.equal(refused.status, 400);
          assert.equal(refused.body.error, "invalid_grant");
        }
        const session = await onlyA.store.get(sessions[1]!.session_id!, Date.now());
        assert.equal(session?.state, "active");
      } finally {
        await onlyA.close();
      }

      // And with B alone (A dropped later) they keep working.
      const onlyB = await start(SECRET_B);
      try {
        for (const refreshToken of madeWithB) assert.equal((await refresh(onlyB, refreshToken)).status, 200);
      } finally {
        await onlyB.close();
      }
    } finally {
      const redis = new Redis(redisUrl);
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
});
