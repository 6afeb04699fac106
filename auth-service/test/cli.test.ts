import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DEVELOPMENT } from "@gastown/testkit";
import { loadSigningKeysFile, startAuthService } from "../src/index.js";
import { bundleCli, type CliRunner, type Run } from "./cli-runner.js";
import { type Harness, STORE_KINDS, startHarness } from "./harness.js";

let runner: CliRunner;
before(async () => {
  runner = await bundleCli();
});
after(() => runner.close());

/** Runs `gastown-auth` as a child process; stdin is a pipe (not a terminal) closed at once. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> => runner.cli(args, env);

for (const kind of STORE_KINDS) {
  describe(`gastown-auth against a running auth-service (${kind} store)`, () => {
    let h: Harness;
    let env: NodeJS.ProcessEnv;
    before(async () => {
      h = await startHarness(kind);
      env = { AUTH_ISSUER: h.url, AUTH_ADMIN_TOKEN: h.service.adminToken, WORKER_CLIENT_ID: "worker", WORKER_CLIENT_SECRET: "dev-worker-secret" };
    });
    after(() => h.close());

    it("dispatch, list, show and audit, as tables and as --json", async () => {
      const dispatched = await cli(["dispatch", "--json", "--agent", "cli-agent", "--town", "cli-town", "--user", "u1", "--role", "polecat", "--rig", "r1"], env);
      assert.equal(dispatched.code, 0, dispatched.stderr);
      const pair = JSON.parse(dispatched.stdout) as { session_id: string; refresh_token: string; access_token: string };
      assert.match(pair.refresh_token, /^gtr_/);
      await h.verify(pair.access_token);

      const table = await cli(["dispatch", "--agent", "cli-agent", "--town", "cli-town", "--user", "u1", "--role", "polecat"], env);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^session_id\s+\S{22}$/m);

      const listed = await cli(["list", "--json", "--agent", "cli-agent"], env);
      assert.equal(listed.code, 0, listed.stderr);
      const page = JSON.parse(listed.stdout) as { sessions: { session_id: string; state: string }[]; next_cursor: string | null };
      assert.equal(page.sessions.length, 2);
      assert.ok(page.sessions.some((s) => s.session_id === pair.session_id));

      const listedTable = await cli(["list", "--town", "cli-town", "--limit", "1"], env);
      assert.equal(listedTable.code, 0, listedTable.stderr);
      assert.match(listedTable.stdout, /^SESSION\s+AGENT\s+RIG\s+TOWN/m);
      assert.match(listedTable.stdout, /cli-agent/);
      assert.match(listedTable.stdout, /^more: --cursor /m);

      const shown = await cli(["show", "--json", "--", pair.session_id], env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal(JSON.parse(shown.stdout).state, "active");
      const shownTable = await cli(["show", "--", pair.session_id], env);
      assert.match(shownTable.stdout, /^state\s+active$/m);
      assert.ok(!shown.stdout.includes("gtr_") && !shownTable.stdout.includes("gtr_"), "show never prints a token");

      const audit = await cli(["audit", "--json", "--session", pair.session_id], env);
      assert.equal(audit.code, 0, audit.stderr);
      assert.deepEqual((JSON.parse(audit.stdout) as { entries: { event: string }[] }).entries.map((e) => e.event), ["issued"]);

      assert.equal((await cli(["show", "AAAAAAAAAAAAAAAAAAAAAA"], env)).code, 5);
      assert.equal((await cli(["show", "--", pair.session_id], { ...env, AUTH_ADMIN_TOKEN: "wrong-admin-token-123456" })).code, 6);
    });

    it("revoke: a bulk revocation without --yes and without a terminal is refused and revokes nothing; --yes revokes", async () => {
      await h.dispatch({ agent_id: "bulk-agent" });
      await h.dispatch({ agent_id: "bulk-agent" });
      const refused = await cli(["revoke", "--agent", "bulk-agent"], env);
      assert.equal(refused.code, 4);
      assert.match(refused.stderr, /--yes/);
      const before = (await h.admin("get", "/admin/sessions?agent_id=bulk-agent").expect(200)).body.sessions as { state: string }[];
      assert.deepEqual(before.map((s) => s.state), ["active", "active"]);

      const done = await cli(["revoke", "--agent", "bulk-agent", "--yes", "--json"], env);
      assert.equal(done.code, 0, done.stderr);
      assert.deepEqual(JSON.parse(done.stdout), { revoked: 2, agent_id: "bulk-agent" });
      const afterward = (await h.admin("get", "/admin/sessions?agent_id=bulk-agent").expect(200)).body.sessions as { state: string; revoke_reason: string }[];
      assert.deepEqual(afterward.map((s) => `${s.state}:${s.revoke_reason}`), ["revoked:admin", "revoked:admin"]);

      const one = await h.dispatch({ agent_id: "single-agent" });
      const single = await cli(["revoke", "--session", one.session_id], env); // one session: no confirmation
      assert.equal(single.code, 0, single.stderr);
      assert.match(single.stdout, /^revoked\s+1$/m);
      await h.refresh(one.refresh_token).expect(400);
    });
  });
}

describe("gastown-auth offline commands and bad input", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "gastown-cli-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("keygen writes a JWKS file (mode 0600) that the service accepts; keys activate/remove rotate it", async () => {
    const file = join(dir, "keys.json");
    const first = await cli(["keygen", "--file", file, "--json"]);
    assert.equal(first.code, 0, first.stderr);
    const { kid } = JSON.parse(first.stdout) as { kid: string; status: string };
    assert.equal(((await stat(file)).mode & 0o777).toString(8), "600");
    assert.ok(!first.stdout.includes('"d"'), "never prints the private key");
    assert.equal((await cli(["keygen", "--file", file])).code, 2, "a second signing key needs --published");
    const second = await cli(["keygen", "--file", file, "--published", "--alg", "EdDSA", "--kid", "next-key", "--json"]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).status, "published");

    const service = await startAuthService({ env: { ...DEVELOPMENT, AUTH_SIGNING_KEYS_FILE: file }, redisUrl: null, port: 0, logLevel: "silent" });
    try {
      const jwks = (await (await fetch(`${service.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      assert.deepEqual(jwks.keys.map((k) => k.kid), [kid, "next-key"]);
      const activated = await cli(["keys", "activate", "next-key", "--file", file]);
      assert.equal(activated.code, 0, activated.stderr);
      assert.equal((await service.reloadSigningKeys()).signingKid, "next-key");
      assert.equal((await cli(["keys", "remove", "next-key", "--file", file])).code, 2, "the signing key cannot be removed");
      // A thumbprint kid is base64url and may begin with "-" (1 in 64): after "--" it is never read as an option.
      assert.equal((await cli(["keys", "remove", "--file", file, "--", kid])).code, 0);
      assert.deepEqual((await service.reloadSigningKeys()).kids, ["next-key"]);
    } finally {
      await service.close();
    }
    assert.equal((await loadSigningKeysFile(file)).current.alg, "EdDSA");
    assert.ok(!(await readFile(file, "utf8")).includes("gastown_status"));
  });

  it("secret makes an AUTH_TOKEN_SECRET the service accepts", async () => {
    const plain = await cli(["secret"]);
    assert.equal(plain.code, 0);
    const secret = plain.stdout.trim();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    const json = JSON.parse((await cli(["secret", "--json"])).stdout) as { secret: string };
    assert.notEqual(json.secret, secret);
    const service = await startAuthService({ env: { ...DEVELOPMENT, AUTH_TOKEN_SECRET: `${secret},${json.secret}` }, redisUrl: null, port: 0, logLevel: "silent" });
    await service.close();
  });

  it("answers bad input with the documented exit codes", async () => {
    const env = { AUTH_ADMIN_TOKEN: "some-admin-token-0123456789" };
    const help = await cli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes:[\s\S]*4 {2}bulk revocation not confirmed/);
    assert.equal((await cli(["frobnicate"], env)).code, 2);
    assert.equal((await cli(["list", "--limit", "5000"], env)).code, 2);
    assert.equal((await cli(["list", "--agent", "bad id"], env)).code, 2);
    assert.equal((await cli(["revoke", "--agent", "a", "--town", "t", "--yes"], env)).code, 2);
    assert.equal((await cli(["show", "not-a-session"], env)).code, 2);
    assert.equal((await cli(["list"], {})).code, 6, "no admin token");
    assert.equal((await cli(["list", "--url", "http://127.0.0.1:9"], env)).code, 3, "nothing listens there");
    assert.equal((await cli(["dispatch", "--agent", "a", "--town", "t", "--user", "u", "--role", "king"], env)).code, 2);
  });
});
