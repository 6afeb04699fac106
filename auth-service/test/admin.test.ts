import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type Harness, STORE_KINDS, startHarness } from "./harness.js";

const SESSION_FIELDS = [
  "agent_id", "client_id", "created_at", "expires_at", "generation", "idle_expires_at", "last_refresh_at",
  "revoke_reason", "rig_id", "role", "scope", "session_id", "state", "town_id", "user_id",
];

for (const kind of STORE_KINDS) {
  describe(`admin API (${kind} store)`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness(kind);
    });
    afterEach(() => h.close());

    it("needs the admin Bearer token", async () => {
      await h.http.get("/admin/sessions").expect(401);
      const wrong = await h.http.get("/admin/sessions").set("Authorization", "Bearer not-the-token").expect(401);
      assert.match(wrong.headers["www-authenticate"] ?? "", /^Bearer/);
      await h.http.post("/admin/revocations").set("Authorization", `Basic ${h.service.adminToken}`).send({ agent_id: "x" }).expect(401);
    });

    it("lists, filters and pages sessions, never a token", async () => {
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(await h.dispatch({ agent_id: `agent-${i}`, rig_id: i < 3 ? "rig-a" : "rig-b", user_id: i % 2 === 0 ? "alice" : "bob" }));
        h.clock.advance(1);
      }
      const all = await h.admin("get", "/admin/sessions").expect(200);
      assert.equal(all.body.sessions.length, 5);
      assert.equal(all.body.next_cursor, null);
      assert.deepEqual(Object.keys(all.body.sessions[0]).sort(), SESSION_FIELDS);
      for (const tokens of made) {
        assert.ok(!all.text.includes(tokens.refresh_token.split(".")[2]!));
        assert.ok(!all.text.includes(tokens.access_token));
      }
      const rigA = await h.admin("get", "/admin/sessions?rig_id=rig-a").expect(200);
      assert.deepEqual(rigA.body.sessions.map((s: { agent_id: string }) => s.agent_id).sort(), ["agent-0", "agent-1", "agent-2"]);
      const both = await h.admin("get", "/admin/sessions?rig_id=rig-a&user_id=bob").expect(200);
      assert.deepEqual(both.body.sessions.map((s: { agent_id: string }) => s.agent_id), ["agent-1"]);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const path: string = `/admin/sessions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const page = await h.admin("get", path).expect(200);
        assert.ok(page.body.sessions.length <= 2);
        seen.push(...page.body.sessions.map((s: { session_id: string }) => s.session_id));
        cursor = page.body.next_cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual(seen.sort(), made.map((t) => t.session_id).sort());
    });

    it("rejects bad limits, filters and cursors with 400", async () => {
      for (const query of ["limit=1001", "limit=0", "limit=-1", "limit=abc", "limit=10&limit=20", "agent_id=bad%20id", "cursor=%%%%", "nonsense=1"]) {
        const response = await h.admin("get", `/admin/sessions?${query}`);
        assert.equal(response.status, 400, `${query}: ${response.text}`);
        assert.equal(response.body.error, "invalid_request");
      }
      await h.admin("get", "/admin/sessions?limit=1000").expect(200);
    });

    it("reads one session, 404 for unknown; DELETE revokes it once", async () => {
      const tokens = await h.dispatch();
      const read = await h.admin("get", `/admin/sessions/${tokens.session_id}`).expect(200);
      assert.equal(read.body.session_id, tokens.session_id);
      assert.equal(read.body.state, "active");
      assert.equal(read.body.rig_id, "rig-a");
      assert.equal(read.body.created_at, h.clock.seconds);
      assert.equal(read.body.last_refresh_at, null);
      assert.deepEqual((await h.admin("get", "/admin/sessions/AAAAAAAAAAAAAAAAAAAAAA").expect(404)).body, { error: "not_found" });
      assert.deepEqual((await h.admin("get", "/admin/sessions/not-an-id").expect(404)).body, { error: "not_found" });
      assert.deepEqual((await h.admin("delete", "/admin/sessions/AAAAAAAAAAAAAAAAAAAAAA").expect(404)).body, { error: "not_found" });
      assert.deepEqual((await h.admin("delete", `/admin/sessions/${tokens.session_id}`).expect(200)).body, { revoked: 1 });
      assert.deepEqual((await h.admin("delete", `/admin/sessions/${tokens.session_id}`).expect(200)).body, { revoked: 0 });
      const after = await h.admin("get", `/admin/sessions/${tokens.session_id}`).expect(200);
      assert.deepEqual([after.body.state, after.body.revoke_reason], ["revoked", "admin"]);
    });

    it("POST /admin/revocations revokes by each selector, counting only live sessions", async () => {
      const a = await h.dispatch({ agent_id: "a1", rig_id: "r1", town_id: "t1", user_id: "u1" });
      const b = await h.dispatch({ agent_id: "a2", rig_id: "r2", town_id: "t1", user_id: "u2" });
      const c = await h.dispatch({ agent_id: "a3", rig_id: "r3", town_id: "t2", user_id: "u3" });
      const d = await h.dispatch({ agent_id: "a4", rig_id: "r4", town_id: "t3", user_id: "u4" });
      const e = await h.dispatch({ agent_id: "a5", rig_id: "r5", town_id: "t4", user_id: "u5" });
      const revoke = (body: object) => h.admin("post", "/admin/revocations").send(body);
      assert.deepEqual((await revoke({ session_id: a.session_id }).expect(200)).body, { revoked: 1 });
      assert.deepEqual((await revoke({ town_id: "t1" }).expect(200)).body, { revoked: 1 }, "a1 was already revoked");
      assert.deepEqual((await revoke({ agent_id: "a3" }).expect(200)).body, { revoked: 1 });
      assert.deepEqual((await revoke({ rig_id: "r4" }).expect(200)).body, { revoked: 1 });
      assert.deepEqual((await revoke({ user_id: "u5" }).expect(200)).body, { revoked: 1 });
      assert.deepEqual((await revoke({ user_id: "u5" }).expect(200)).body, { revoked: 0 });
      assert.deepEqual((await revoke({ session_id: "AAAAAAAAAAAAAAAAAAAAAA" }).expect(200)).body, { revoked: 0 });
      for (const t of [a, b, c, d, e]) {
        const read = await h.admin("get", `/admin/sessions/${t.session_id}`).expect(200);
        assert.deepEqual([read.body.state, read.body.revoke_reason], ["revoked", "admin"]);
        assert.equal((await h.refresh(t.refresh_token).expect(400)).body.error, "invalid_grant");
      }
    });

    it("POST /admin/revocations needs exactly one selector", async () => {
      await h.dispatch();
      const before = await h.dump();
      const bad = [{}, { agent_id: "a", town_id: "t" }, { agent_id: "" }, { agent_id: 5 }, { role: "mayor" }, { agent_id: "x", extra: 1 }, [], "agent_id"];
      for (const body of bad) {
        const response = await h.admin("post", "/admin/revocations").send(body as object);
        // supertest sends a bare string form-encoded: not JSON, so 415 (service-kit's body rule).
        assert.equal(response.status, typeof body === "string" ? 415 : 400, JSON.stringify(body));
      }
      // Not JSON: 415 (RFC 9110 §15.5.16, service-kit's one body rule; it was a 400).
      const form = await h.admin("post", "/admin/revocations").type("form").send("agent_id=polecat-1");
      assert.equal(form.status, 415);
      assert.deepEqual(await h.dump(), before);
    });
  });
}
