import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, it } from "node:test";
import { BASIC, CONTAINER, type Harness, STORE_KINDS, startHarness, type TokenBody } from "./harness.js";

/** Who presents the token: the public container client, or the dispatcher (client_secret_basic). */
type Presenter = "public" | "dispatcher";

interface Case {
  name: string;
  by: Presenter;
  /** The form fields, from a live session's tokens. */
  fields: (t: TokenBody) => Record<string, string>;
  /** Seconds the clock moves before the request (expired access tokens). */
  advance?: number;
  /** The session's state and reason afterwards; `unchanged`: the whole store is as before. */
  expect: "unchanged" | { state: "revoked"; reason: "client" | "superseded" };
}

const HINT = { token_type_hint: "session_id" };
const unknownId = () => randomBytes(16).toString("base64url");

// DESIGN.md "auth-service HTTP API", RFC 7009 §2.1 (further hints allowed) and §2.2 (200 for what is not found).
const CASES: Case[] = [
  { name: "public client names a session id with the hint", by: "public", fields: (t) => ({ token: t.session_id, ...HINT }), expect: "unchanged" },
  { name: "public client names a session id without a hint", by: "public", fields: (t) => ({ token: t.session_id }), expect: "unchanged" },
  { name: "public client with an expired access token", by: "public", fields: (t) => ({ token: t.access_token }), advance: 120, expect: "unchanged" },
  { name: "public client with an expired access token and the access hint", by: "public", fields: (t) => ({ token: t.access_token, token_type_hint: "access_token" }), advance: 120, expect: "unchanged" },
  { name: "dispatcher names an unknown session id", by: "dispatcher", fields: () => ({ token: unknownId(), ...HINT }), expect: "unchanged" },
  { name: "dispatcher names a malformed session id", by: "dispatcher", fields: (t) => ({ token: `${t.session_id}x`, ...HINT }), expect: "unchanged" },
  { name: "dispatcher names an empty-looking session id", by: "dispatcher", fields: () => ({ token: "../../admin", ...HINT }), expect: "unchanged" },
  { name: "dispatcher gives a session id without the hint", by: "dispatcher", fields: (t) => ({ token: t.session_id }), expect: "unchanged" },
  { name: "dispatcher names the session by id", by: "dispatcher", fields: (t) => ({ token: t.session_id, ...HINT }), expect: { state: "revoked", reason: "client" } },
  { name: "dispatcher names the session by id as superseded", by: "dispatcher", fields: (t) => ({ token: t.session_id, ...HINT, revocation_reason: "superseded" }), expect: { state: "revoked", reason: "superseded" } },
  { name: "dispatcher: session_id hint with a real refresh token (the hint only orders the search)", by: "dispatcher", fields: (t) => ({ token: t.refresh_token, ...HINT }), expect: { state: "revoked", reason: "client" } },
  { name: "dispatcher: session_id hint with a real access token", by: "dispatcher", fields: (t) => ({ token: t.access_token, ...HINT }), expect: { state: "revoked", reason: "client" } },
  { name: "public client: session_id hint with its refresh token (hint ignored)", by: "public", fields: (t) => ({ token: t.refresh_token, ...HINT }), expect: { state: "revoked", reason: "client" } },
  { name: "public client with an access token that has not expired", by: "public", fields: (t) => ({ token: t.access_token }), expect: { state: "revoked", reason: "client" } },
  { name: "dispatcher with an expired access token", by: "dispatcher", fields: (t) => ({ token: t.access_token }), advance: 120, expect: { state: "revoked", reason: "client" } },
];

for (const kind of STORE_KINDS) {
  describe(`revocation by session id, dispatcher clients only (${kind} store)`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness(kind, { policyOverrides: { accessTokenTtl: 30 } });
    });
    afterEach(() => h.close());

    for (const c of CASES) {
      it(c.name, async () => {
        const live = await h.dispatch();
        if (c.advance) h.clock.advance(c.advance);
        const before = await h.dump();
        const fields = c.fields(live);
        const response = c.by === "public" ? await h.form("/oauth2/revoke", { ...fields, client_id: CONTAINER }) : await h.form("/oauth2/revoke", fields, { Authorization: BASIC });
        assert.equal(response.status, 200, response.text);
        assert.equal(response.headers["cache-control"], "no-store");
        if (c.expect === "unchanged") {
          assert.deepEqual(await h.dump(), before, "a refused revocation changes nothing");
          await h.refresh(live.refresh_token).expect(200);
          return;
        }
        assert.notDeepEqual(await h.dump(), before, "the session was revoked");
        assert.equal((await h.refresh(live.refresh_token).expect(400)).body.error, "invalid_grant");
        // Once its last access token has expired, an ended session may read 404 (DESIGN.md admin API).
        const read = await h.admin("get", `/admin/sessions/${live.session_id}`);
        if (!c.advance || read.status === 200) assert.deepEqual([read.body.state, read.body.revoke_reason], [c.expect.state, c.expect.reason]);
      });
    }
  });
}
