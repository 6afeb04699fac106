import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { BASIC, CONTAINER, type Harness, STORE_KINDS, startHarness, WORKER_SECRET } from "./harness.js";

const TOKEN_SECRET = "token-secret-for-the-logging-test-0123456789";
const ADMIN_TOKEN = "admin-token-for-the-logging-test-0123456789";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}

for (const kind of STORE_KINDS) {
  describe(`request log (${kind} store)`, () => {
    const capture = new Capture();
    let h: Harness;
    const secrets: string[] = [TOKEN_SECRET, ADMIN_TOKEN, WORKER_SECRET];
    before(async () => {
      h = await startHarness(kind, {
        env: { AUTH_TOKEN_SECRET: TOKEN_SECRET, AUTH_ADMIN_TOKEN: ADMIN_TOKEN },
        logLevel: "info",
        logDestination: capture,
      });
      const first = await h.dispatch();
      const second = (await h.refresh(first.refresh_token).expect(200)).body;
      await h.refresh(first.refresh_token).expect(200); // grace replay
      await h.form("/oauth2/introspect", { token: second.access_token }, { Authorization: BASIC }).expect(200);
      await h.form("/oauth2/token", { grant_type: "refresh_token", refresh_token: second.refresh_token, client_id: "worker", client_secret: "wrong-secret-value" }).expect(401);
      await h.admin("get", `/admin/sessions/${first.session_id}`).expect(200);
      await h.form("/oauth2/revoke", { token: second.refresh_token, client_id: CONTAINER }).expect(200);
      await h.refresh(second.refresh_token).expect(400);
      for (const t of [first, second]) {
        secrets.push(t.access_token, t.refresh_token, t.refresh_token.split(".")[2]!, t.access_token.split(".")[2]!);
      }
      secrets.push("wrong-secret-value", Buffer.from(`worker:${WORKER_SECRET}`).toString("base64"));
      await h.close();
    });
    after(() => h.close());

    it("writes one line per request with method, path, status, ms, client and session id", () => {
      const lines = capture.text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      const requests = lines.filter((line) => line.msg === "request" && line.path !== "/.well-known/jwks.json");
      assert.equal(requests.length, 8);
      const dispatch = requests[0]!;
      assert.equal(dispatch.method, "POST");
      assert.equal(dispatch.path, "/oauth2/token");
      assert.equal(dispatch.status, 200);
      assert.equal(typeof dispatch.ms, "number");
      assert.equal(dispatch.client_id, "worker");
      assert.match(String(dispatch.sid), /^[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(requests.map((r) => r.status), [200, 200, 200, 200, 401, 200, 200, 400]);
      assert.ok(requests.slice(0, 4).every((r) => r.sid === dispatch.sid));
    });

    it("never contains a token, a MAC, a client secret, the admin token or the token secret", () => {
      assert.ok(capture.text.length > 0);
      for (const secret of secrets) assert.ok(!capture.text.includes(secret), `the log contains ${secret.slice(0, 12)}...`);
    });
  });
}
