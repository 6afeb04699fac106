import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { errorDescription, InvalidClientError, InvalidGrantError, InvalidRequestError, InvalidScopeError, UnauthorizedClientError, UnsupportedGrantTypeError } from "../src/errors.js";
import { BASIC, CONTAINER, type Harness, STORE_KINDS, startHarness, type TokenBody } from "./harness.js";
import { dispatchBody, form, refreshBody, TOKEN_ERROR_CASES, worker } from "./token-error-cases.js";

/** RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ). */
const DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

/** What the client sends that is quoted back, with every character §5.2 forbids. */
const HOSTILE = 'a"b\\c\u00e9\u0000\n';

interface Live {
  /** A session never refreshed (generation 0: token-error-cases.ts builds its malformed tokens from one). */
  dispatched: TokenBody;
  /** Another session refreshed once: `current` is its pair now, `previous` the one before. */
  previous: TokenBody;
  current: TokenBody;
}

interface ErrorCase {
  name: string;
  send: (h: Harness, live: Live) => Promise<{ status: number; body: { error?: unknown; error_description?: unknown } }>;
  error: string;
  status: number;
}

const token = (h: Harness, body: string, headers: Record<string, string> = {}, contentType = "application/x-www-form-urlencoded") => {
  let test = h.http.post("/oauth2/token").set("Content-Type", contentType);
  for (const [name, value] of Object.entries(headers)) test = test.set(name, value);
  return test.send(body);
};

const CASES: ErrorCase[] = [
  // Token endpoint, both grants: every case of token-errors.test.ts ...
  ...TOKEN_ERROR_CASES.map((c): ErrorCase => ({ name: `token: ${c.name}`, send: (h, live) => token(h, c.body(live.dispatched), c.headers, c.contentType), error: c.error, status: c.status })),
  // ... the branches those leave out, and names and scopes quoted back with forbidden characters.
  { name: "token: repeated parameter with a hostile name", send: (h, l) => token(h, `${refreshBody(l.current.refresh_token)}&${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2`), error: "invalid_request", status: 400 },
  { name: "token: repeated refresh_token", send: (h, l) => token(h, `${refreshBody(l.current.refresh_token)}&refresh_token=x`), error: "invalid_request", status: 400 },
  { name: "token: unknown scope with quotes on refresh", send: (h, l) => token(h, refreshBody(l.current.refresh_token, { scope: HOSTILE })), error: "invalid_scope", status: 400 },
  { name: "token: unknown scope with quotes on dispatch", send: (h) => token(h, dispatchBody({ scope: '"admin"' }), worker), error: "invalid_scope", status: 400 },
  { name: "token: not UTF-8", send: (h, l) => token(h, `${refreshBody(l.current.refresh_token)}&x=%FF`), error: "invalid_request", status: 400 },
  { name: "token: a charset other than UTF-8", send: (h, l) => token(h, refreshBody(l.current.refresh_token), {}, "application/x-www-form-urlencoded; charset=latin1"), error: "invalid_request", status: 400 },
  { name: "token: malformed Basic credentials", send: (h) => token(h, dispatchBody({}), { Authorization: "Basic !!!" }), error: "invalid_client", status: 401 },
  { name: "token: Basic credentials without a colon", send: (h) => token(h, dispatchBody({}), { Authorization: `Basic ${Buffer.from("worker").toString("base64")}` }), error: "invalid_client", status: 401 },
  { name: "token: client_id differs from the Authorization header", send: (h) => token(h, dispatchBody({ client_id: "other" }), worker), error: "invalid_request", status: 400 },
  { name: "token: refresh token presented by another client", send: (h, l) => token(h, form({ grant_type: "refresh_token", refresh_token: l.current.refresh_token }), worker), error: "invalid_grant", status: 400 },
  { name: "token: reuse of an older refresh token (revokes the session; run last)", send: (h, l) => {
      h.clock.advance(3600);
      return token(h, refreshBody(l.previous.refresh_token));
    }, error: "invalid_grant", status: 400 },
  { name: "token: a revoked session's current token", send: (h, l) => token(h, refreshBody(l.current.refresh_token)), error: "invalid_grant", status: 400 },
  {
    name: "token: a session past its idle end",
    send: async (h) => {
      const fresh = await h.dispatch();
      h.clock.advance(h.service.policy.refreshIdleTtl + 1);
      return token(h, refreshBody(fresh.refresh_token));
    },
    error: "invalid_grant",
    status: 400,
  },
];

const REVOKE_CASES: ErrorCase[] = [
  { name: "revoke: no client", send: (h, l) => h.form("/oauth2/revoke", { token: l.current.refresh_token }), error: "invalid_client", status: 401 },
  { name: "revoke: missing token", send: (h) => h.form("/oauth2/revoke", { client_id: CONTAINER }), error: "invalid_request", status: 400 },
  { name: "revoke: revocation_reason from a public client", send: (h, l) => h.form("/oauth2/revoke", { token: l.current.refresh_token, client_id: CONTAINER, revocation_reason: "superseded" }), error: "invalid_request", status: 400 },
  { name: "revoke: revocation_reason other than superseded", send: (h, l) => h.form("/oauth2/revoke", { token: l.current.refresh_token, revocation_reason: HOSTILE }, { Authorization: BASIC }), error: "invalid_request", status: 400 },
  { name: "revoke: repeated parameter with a hostile name", send: (h) => h.form("/oauth2/revoke", `client_id=${CONTAINER}&${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=1`), error: "invalid_request", status: 400 },
  { name: "revoke: wrong content type", send: (h) => h.http.post("/oauth2/revoke").set("Content-Type", "application/json").send("{}"), error: "invalid_request", status: 400 },
  { name: "introspect: missing token", send: (h) => h.form("/oauth2/introspect", {}, { Authorization: BASIC }), error: "invalid_request", status: 400 },
  { name: "introspect: public client", send: (h, l) => h.form("/oauth2/introspect", { token: l.current.access_token, client_id: CONTAINER }), error: "invalid_client", status: 401 },
  { name: "introspect: no client", send: (h, l) => h.form("/oauth2/introspect", { token: l.current.access_token }), error: "invalid_client", status: 401 },
  { name: "introspect: repeated parameter with a hostile name", send: (h) => h.form("/oauth2/introspect", `${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=1`, { Authorization: BASIC }), error: "invalid_request", status: 400 },
];

const adminGet = (path: string) => (h: Harness) => h.admin("get", path);
const adminPost = (body: string) => (h: Harness) => h.admin("post", "/admin/revocations").set("Content-Type", "application/json").send(body);
const q = encodeURIComponent(HOSTILE);

const ADMIN_CASES: ErrorCase[] = [
  { name: "admin: sessions, repeated parameter with a hostile name", send: adminGet(`/admin/sessions?${q}=1&${q}=2`), error: "invalid_request", status: 400 },
  { name: "admin: sessions, unknown parameter with a hostile name", send: adminGet(`/admin/sessions?${q}=1`), error: "invalid_request", status: 400 },
  { name: "admin: sessions, malformed agent_id", send: adminGet(`/admin/sessions?agent_id=${q}`), error: "invalid_request", status: 400 },
  { name: "admin: sessions, limit over 1000", send: adminGet("/admin/sessions?limit=1001"), error: "invalid_request", status: 400 },
  { name: "admin: sessions, cursor too long", send: adminGet(`/admin/sessions?cursor=${"x".repeat(600)}`), error: "invalid_request", status: 400 },
  { name: "admin: sessions, cursor that does not decode", send: adminGet(`/admin/sessions?cursor=${q}`), error: "invalid_request", status: 400 },
  { name: "admin: audit, repeated parameter with a hostile name", send: adminGet(`/admin/audit?${q}=1&${q}=2`), error: "invalid_request", status: 400 },
  { name: "admin: audit, unknown parameter with a hostile name", send: adminGet(`/admin/audit?${q}=1`), error: "invalid_request", status: 400 },
  { name: "admin: audit, malformed session_id", send: adminGet(`/admin/audit?session_id=${q}`), error: "invalid_request", status: 400 },
  { name: "admin: audit, malformed town_id", send: adminGet(`/admin/audit?town_id=${q}`), error: "invalid_request", status: 400 },
  { name: "admin: audit, limit 0", send: adminGet("/admin/audit?limit=0"), error: "invalid_request", status: 400 },
  { name: "admin: revocations, two selectors", send: adminPost('{"agent_id":"a","town_id":"t"}'), error: "invalid_request", status: 400 },
  { name: "admin: revocations, a hostile unknown member", send: adminPost(JSON.stringify({ agent_id: "a", [HOSTILE]: 1 })), error: "invalid_request", status: 400 },
  { name: "admin: revocations, empty session_id", send: adminPost('{"session_id":""}'), error: "invalid_request", status: 400 },
  { name: "admin: revocations, malformed agent_id", send: adminPost(JSON.stringify({ agent_id: HOSTILE })), error: "invalid_request", status: 400 },
  { name: "admin: no credential", send: (h) => h.http.get("/admin/sessions"), error: "unauthorized", status: 401 },
  { name: "admin: unknown session", send: adminGet("/admin/sessions/AAAAAAAAAAAAAAAAAAAAAA"), error: "not_found", status: 404 },
];

describe("RFC 6749 §5.2 error_description character set", () => {
  it("every OAuth error class, whatever its description was built from, holds only allowed characters", () => {
    const everyCodeUnit = Array.from({ length: 0x180 }, (_, i) => String.fromCharCode(i)).join("");
    for (const ErrorClass of [InvalidRequestError, InvalidClientError, InvalidGrantError, InvalidScopeError, UnauthorizedClientError, UnsupportedGrantTypeError]) {
      const error = new ErrorClass(`x ${everyCodeUnit} \u{1F600}`);
      assert.match(error.error_description, DESCRIPTION, ErrorClass.name);
      assert.equal(error.name, ErrorClass.name);
    }
    assert.equal(errorDescription('parameter "a\\b" is repeated'), "parameter ?a?b? is repeated");
  });

  for (const kind of STORE_KINDS) {
    describe(`every error branch of every endpoint (${kind} store)`, () => {
      let h: Harness;
      let live: Live;
      before(async () => {
        h = await startHarness(kind);
        const dispatched = await h.dispatch();
        const previous = await h.dispatch();
        const current = (await h.refresh(previous.refresh_token).expect(200)).body as TokenBody;
        live = { dispatched, previous, current };
      });
      after(() => h.close());

      for (const [group, cases] of [["token", CASES], ["revoke and introspect", REVOKE_CASES], ["admin", ADMIN_CASES]] as const) {
        it(`${group}: each answer's error and error_description are as RFC 6749 §5.2 says`, async () => {
          for (const c of cases) {
            const response = await c.send(h, live);
            assert.equal(response.status, c.status, `${c.name}: ${response.status} ${JSON.stringify(response.body)}`);
            assert.equal(response.body.error, c.error, c.name);
            const description = response.body.error_description;
            // Admin 401/404 answers carry none; every 400 answer carries one.
            if (c.status === 400) assert.equal(typeof description, "string", `${c.name}: no error_description`);
            if (description !== undefined) assert.match(String(description), DESCRIPTION, `${c.name}: ${JSON.stringify(description)}`);
          }
        });
      }
    });
  }
});
