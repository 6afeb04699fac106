import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { InvalidRequestError as AuthServiceInvalidRequest } from "@gastown/auth-service";
import { createLogger } from "@gastown/service-kit";
import { InProcessRevocationBus } from "@gastown/token-policy";
import type { Context } from "koa";
import { ContainerError, createWorkerApp, type RunningWorkerApi, startWorkerApi, UnknownAgentError } from "../src/index.js";
import { post } from "./helpers/http.js";
import { startTestIssuer, type TestIssuer } from "./helpers/issuer.js";

/**
 * service-kit's one error-to-HTTP rule in the worker-api: an error carries its status,
 * code and expose flag. Before the kit, anything thrown in a route (an auth-service
 * error included) became a 500.
 */
describe("errors become their own HTTP answer", () => {
  let issuer: TestIssuer;
  let worker: RunningWorkerApi;
  let server: Server;
  let url: string;
  let thrown: unknown;

  before(async () => {
    issuer = await startTestIssuer();
    worker = await startWorkerApi({
      authUrl: issuer.url, redisUrl: null, revocationBus: new InProcessRevocationBus(), containerUrl: "http://127.0.0.1:9",
      containerControlToken: "unused", clientId: "worker", clientSecret: "unused", logLevel: "silent",
    });
    // The worker's own app, whose authentication step throws what the test says.
    const app = createWorkerApp({
      authenticator: async (_ctx: Context) => {
        throw thrown;
      },
      records: worker.records, now: Date.now, log: createLogger({ name: "test", level: "silent" }), operatorToken: worker.operatorToken,
      dispatcher: worker.dispatcher, metrics: worker.metrics, keys: worker.keys, revocationsConfirmed: worker.revocationsConfirmed,
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/towns/town-1/rigs/rig-1/agents/polecat-1/heartbeat`;
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await worker.close();
    await issuer.close();
  });

  test("an auth-service InvalidRequestError thrown in the worker-api is a 400, not a 500", async () => {
    thrown = new AuthServiceInvalidRequest("the agent sent nonsense");
    const answer = await post(url, {});
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { error: "invalid_request", error_description: "the agent sent nonsense" });
  });

  test("the worker's own errors keep their status; server errors never show their detail", async () => {
    thrown = new UnknownAgentError("no agent polecat-9");
    const notFound = await post(url, {});
    assert.deepEqual([notFound.status, notFound.body], [404, { error: "not_found", error_description: "no agent polecat-9" }]);
    thrown = new ContainerError("container refused start: 500 secret detail", 500);
    assert.deepEqual((await post(url, {})).body, { error: "container_error" });
    assert.equal((await post(url, {})).status, 502);
    thrown = new Error("redis password wrong");
    const hidden = await post(url, {});
    assert.deepEqual([hidden.status, hidden.body], [500, { error: "server_error" }]);
  });
});
