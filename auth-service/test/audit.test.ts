import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { FLOW_POLICY, runFlows } from "./flows.js";
import { BASIC, CONTAINER, type Harness, STORE_KINDS, startHarness } from "./harness.js";

const TOKEN_SECRET = "audit-test-token-secret-0123456789abcdef";
const ADMIN_TOKEN = "audit-test-admin-token-0123456789";
const ENV = { AUTH_TOKEN_SECRET: TOKEN_SECRET, AUTH_ADMIN_TOKEN: ADMIN_TOKEN };


interface Entry {
  id: string;
  ts: number;
  event: string;
  session_id: string;
  agent_id?: string;
  town_id?: string;
  client_id?: string;
  reason?: string;
}

async function audit(h: Harness, query = ""): Promise<Entry[]> {
  const response = await h.admin("get", `/admin/audit${query}`).expect(200);
  return response.body.entries as Entry[];
}

for (const kind of STORE_KINDS) {
  describe(`audit trail (${kind} store)`, () => {
    let h: Harness | undefined;
    afterEach(() => h?.close());

    it("records issuance, rotation, grace replay, reuse, revocations and expiry, newest first, with who and why", async () => {
      h = await startHarness(kind, { env: ENV, policyOverrides: FLOW_POLICY });
      const { s1, s6 } = await runFlows(h);
      const one = await audit(h, `?session_id=${s1}`);
      assert.deepEqual(
        one.map((e) => [e.event, e.client_id, e.reason]),
        [
          ["reuse_detected", CONTAINER, "reuse_detected"],
          ["grace_replay", CONTAINER, undefined],
          ["rotated", CONTAINER, undefined],
          ["issued", "worker", undefined],
        ],
      );
      for (const entry of one) {
        assert.equal(entry.agent_id, "agent-1");
        assert.equal(entry.town_id, "town-a");
        assert.equal(typeof entry.ts, "number");
      }
      assert.ok(one[0]!.ts > one[3]!.ts, "times move with the server clock");
      const all = await audit(h);
      assert.deepEqual(
        all.map((e) => `${e.event}:${e.agent_id}:${e.reason ?? ""}`),
        [
          "expired:agent-6:expired",
          "issued:agent-6:",
          "revoked:bulk:admin",
          "revoked:bulk:admin",
          "issued:bulk:",
          "issued:bulk:",
          "revoked:agent-3:admin",
          "issued:agent-3:",
          "revoked:agent-2:client",
          "issued:agent-2:",
          "reuse_detected:agent-1:reuse_detected",
          "grace_replay:agent-1:",
          "rotated:agent-1:",
          "issued:agent-1:",
        ],
      );
      const ids = all.map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, "every entry has its own id");
      assert.deepEqual((await audit(h, "?town_id=town-b")).map((e) => e.event), ["revoked", "revoked", "issued", "issued", "revoked", "issued"]);
      assert.deepEqual((await audit(h, "?agent_id=agent-6&limit=1")).map((e) => e.session_id), [s6]);
      assert.deepEqual(await audit(h, "?agent_id=nobody"), []);
    });

    it("never holds a token or a secret (store dump), and validates its query", async () => {
      h = await startHarness(kind, { env: ENV, policyOverrides: FLOW_POLICY });
      const { tokens } = await runFlows(h);
      const dump = JSON.stringify(await h.dump());
      if (kind === "redis") assert.match(dump, /audit/, "the stream is in the dump");
      const secrets = [TOKEN_SECRET, ADMIN_TOKEN, "dev-worker-secret", BASIC.slice(6)];
      for (const token of tokens) secrets.push(token, token.split(".").pop()!);
      for (const secret of secrets) assert.ok(!dump.includes(secret), "a token or secret is in the store");
      for (const query of ["?limit=1001", "?limit=0", "?limit=abc", "?session_id=short", "?agent_id=a%20b", "?foo=1", "?limit=1&limit=2"]) {
        const response: { body: { error?: string } } = await h.admin("get", `/admin/audit${query}`).expect(400);
        assert.equal(response.body.error, "invalid_request", query);
      }
      assert.equal((await audit(h, "?limit=1000")).length, 14);
      await h.http.get("/admin/audit").expect(401);
    });

    it("stays bounded (AUTH_AUDIT_MAX_ENTRIES)", async () => {
      const max = 20;
      h = await startHarness(kind, { env: { ...ENV, AUTH_AUDIT_MAX_ENTRIES: String(max) } });
      let current = await h.dispatch();
      for (let i = 0; i < 300; i++) {
        h.clock.advance(1);
        current = (await h.refresh(current.refresh_token).expect(200)).body;
      }
      await h.service.audit.flush();
      const entries = await audit(h, "?limit=1000");
      if (kind === "memory") assert.equal(entries.length, max);
      else {
        // XADD MAXLEN ~ trims whole stream nodes (stream-node-max-entries, 100 by default).
        const stream = Object.entries(await h.dump()).find(([key]) => key.endsWith("audit"));
        const length = (JSON.parse(stream![1]) as unknown[]).length;
        assert.ok(length >= max && length <= max + 100, `stream length ${length}`);
        assert.equal(entries.length, length);
      }
      assert.equal(entries[0]!.event, "rotated");
      assert.equal(entries[0]!.session_id, current.session_id);
    });
  });
}
