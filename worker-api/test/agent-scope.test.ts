import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InProcessRevocationBus } from "@gastown/token-policy";
import { type RunningWorkerApi, startWorkerApi } from "../src/index.js";
import { bearer, post } from "./helpers/http.js";
import { MAYOR, mint, POLECAT, startTestIssuer, type TestIssuer } from "./helpers/issuer.js";
import { NO_CONTAINER } from "./helpers/worker.js";

// Issue 14: agent routes need the `agent` scope. A Mayor token narrowed (at refresh) to
// `mayor` alone keeps the mayor tools and loses every agent callback: RFC 6750 §3.1
// insufficient_scope, 403, with the scope named in the challenge.
describe("agent routes require the agent scope", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  before(async () => {
    issuer = await startTestIssuer();
    worker = await startWorkerApi({ ...NO_CONTAINER, authUrl: issuer.url, redisUrl: null, revocationBus: new InProcessRevocationBus() });
  });
  after(async () => {
    await worker.close();
    await issuer.close();
  });

  const token = (claims: Record<string, unknown>) => mint({ key: issuer.keys[0]!, issuer: issuer.url, claims });
  const townRoutes = (base: string) => ["heartbeat", "events", "completed"].map((action) => `${base}/api/towns/town-1/agents/mayor/${action}`);
  const rigRoutes = (base: string) => [
    ...["heartbeat", "events", "done", "completed"].map((action) => `${base}/api/towns/town-1/rigs/rig-1/agents/polecat-1/${action}`),
    `${base}/api/towns/town-1/rigs/rig-1/sling`,
    `${base}/api/towns/town-1/rigs/rig-1/review-queue/entry-1/complete`,
  ];

  test("a mayor-only token: every town-level agent route is 403 insufficient_scope; mayor tools still work", async () => {
    const mayorOnly = await token({ ...MAYOR, scope: "mayor" });
    for (const url of townRoutes(worker.url)) {
      const answer = await post(url, {}, bearer(mayorOnly));
      assert.equal(answer.status, 403, url);
      assert.equal(answer.body.error, "insufficient_scope", url);
      assert.equal(answer.challenge, 'Bearer error="insufficient_scope", scope="agent"', url);
    }
    assert.equal((await post(`${worker.url}/api/mayor/town-1/tools/list_rigs`, {}, bearer(mayorOnly))).status, 202);
  });

  test("a rig token without the agent scope: every rig route is 403 insufficient_scope", async () => {
    const noAgent = await token({ ...POLECAT, scope: "mayor" });
    for (const url of rigRoutes(worker.url)) {
      const answer = await post(url, {}, bearer(noAgent));
      assert.equal(answer.status, 403, url);
      assert.equal(answer.body.error, "insufficient_scope", url);
      assert.equal(answer.challenge, 'Bearer error="insufficient_scope", scope="agent"', url);
    }
  });

  test("the agent scope opens them (control); the binding is still checked first", async () => {
    const mayor = await token(MAYOR);
    for (const url of townRoutes(worker.url)) assert.equal((await post(url, {}, bearer(mayor))).status, 202, url);
    const polecat = await token(POLECAT);
    for (const url of rigRoutes(worker.url)) assert.equal((await post(url, {}, bearer(polecat))).status, 202, url);
    const otherTown = await post(`${worker.url}/api/towns/town-2/rigs/rig-1/agents/polecat-1/heartbeat`, {}, bearer(await token({ ...POLECAT, scope: "mayor" })));
    assert.equal(otherTown.status, 403);
    assert.equal(otherTown.body.error, "forbidden");
  });
});
