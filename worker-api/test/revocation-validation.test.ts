import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { deleteKeys, randomPrefix, type Scrape, scrape, testRedisUrl, waitFor } from "@gastown/testkit";
import { REVOCATION_PROBLEMS, revocationChannel, revokedSetKey } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { type RunningWorkerApi, startWorkerApi } from "../src/index.js";
import { bearer, heartbeatUrl, post } from "./helpers/http.js";
import { mint, POLECAT, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";
import { NO_CONTAINER } from "./helpers/worker.js";

// Issue 14: revocation messages (and revoked-set entries) are validated before use; the
// rest is dropped and counted in gastown_worker_revocations_dropped_total{problem}.
const TTL = 600;
const TOLERANCE = 5;
const sessionId = () => randomBytes(16).toString("base64url");
const nowSec = () => Math.floor(Date.now() / 1000);
const dropped = (s: Scrape, problem: string) => s.value("gastown_worker_revocations_dropped_total", { problem });

describe("revocation messages are validated before the worker acts on them", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  let admin: Redis;
  const prefix = randomPrefix("revval");

  before(async () => {
    const redisUrl = await testRedisUrl();
    admin = new Redis(redisUrl);
    issuer = await startTestIssuer();
    worker = await startWorkerApi({
      authUrl: issuer.url,
      redisUrl,
      prefix,
      policyOverrides: { accessTokenTtl: TTL, clockTolerance: TOLERANCE },
      revocationResyncIntervalMs: 200,
      ...NO_CONTAINER,
    });
  });
  after(async () => {
    await worker.close();
    await issuer.close();
    await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  const publish = (message: unknown) => admin.publish(revocationChannel(prefix), typeof message === "string" ? message : JSON.stringify(message));

  test("every problem is exported from the start", async () => {
    const s = await scrape(worker.url);
    for (const problem of REVOCATION_PROBLEMS) assert.equal(dropped(s, problem), 0, problem);
  });

  test("bad messages change nothing and are counted by problem; a good one after them lands", async () => {
    const before = await scrape(worker.url);
    const farSid = sessionId();
    const bad: [unknown, string][] = [
      ["{not json", "malformed"],
      [[1, 2], "malformed"],
      [{ sid: "s-not-a-session-id", reason: "admin", until: nowSec() + 60 }, "sid"],
      [{ sid: `${sessionId()}=`, reason: "admin", until: nowSec() + 60 }, "sid"],
      [{ sid: sessionId(), reason: "because", until: nowSec() + 60 }, "reason"],
      // Later than now + access lifetime + 2 x tolerance: would pin the id in memory for a year.
      [{ sid: farSid, reason: "admin", until: nowSec() + 365 * 86400 }, "until"],
      [{ sid: sessionId(), reason: "admin", until: `${nowSec() + 60}` }, "until"],
    ];
    for (const [message] of bad) await publish(message);
    const good = sessionId();
    await publish({ sid: good, reason: "admin", until: nowSec() + TTL + TOLERANCE });
    await waitFor(() => worker.revocations.isRevoked(good), 5_000, "the good message");

    const after = await scrape(worker.url);
    const expected = new Map<string, number>();
    for (const [, problem] of bad) expected.set(problem, (expected.get(problem) ?? 0) + 1);
    for (const problem of REVOCATION_PROBLEMS) assert.equal(dropped(after, problem) - dropped(before, problem), expected.get(problem) ?? 0, problem);
    assert.equal(worker.revocations.isRevoked(farSid), false, "an until beyond any token is not held");
    assert.equal(worker.revocations.size, 1, "only the good message is held");
  });

  test("a token whose session got a valid message is refused; a dropped message does not touch it", async () => {
    const kept = sessionId();
    const revoked = sessionId();
    const url = heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1");
    const tokenOf = (sid: string) => mint({ key: issuer.keys[0]!, issuer: issuer.url, claims: { ...POLECAT, sid } });
    await publish({ sid: kept, reason: "nope", until: nowSec() + 60 });
    await publish({ sid: revoked, reason: "client", until: nowSec() + 60 });
    await waitFor(() => worker.revocations.isRevoked(revoked), 5_000, "the valid message");
    assert.equal((await post(url, {}, bearer(await tokenOf(revoked)))).status, 401);
    assert.equal((await post(url, {}, bearer(await tokenOf(kept)))).status, 202);
  });

  test("revoked-set entries read by resync get the same checks", async () => {
    const before = await scrape(worker.url);
    const valid = sessionId();
    const far = sessionId();
    await admin.zadd(revokedSetKey(prefix), nowSec() + 60, "s-missed-message", nowSec() + 365 * 86400, far, nowSec() + 60, valid);
    await waitFor(() => worker.revocations.isRevoked(valid), 5_000, "the valid entry by resync");
    const after = await waitFor(async () => {
      const s = await scrape(worker.url);
      return dropped(s, "sid") > dropped(before, "sid") && dropped(s, "until") > dropped(before, "until") && s;
    }, 5_000, "both bad entries counted");
    assert.ok(after);
    assert.equal(worker.revocations.isRevoked("s-missed-message"), false);
    assert.equal(worker.revocations.isRevoked(far), false);
  });
});
