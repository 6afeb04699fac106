import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { bundleCli, type CliRunner } from "./cli-runner.js";
import { type Harness, startHarness, WORKER_SECRET } from "./harness.js";

// Issue 14: the CLI takes no secret as a command-line argument (ps, /proc/<pid>/cmdline and
// shell history show arguments): the admin token and the client secret come from the
// environment, a file, or standard input; --token and --client-secret are refused.
describe("gastown-auth takes no secret as an argument", () => {
  let runner: CliRunner;
  let h: Harness;
  let dir: string;
  let tokenFile: string;
  before(async () => {
    runner = await bundleCli();
    h = await startHarness("memory");
    dir = await mkdtemp(join(tmpdir(), "gastown-cli-secrets-"));
    tokenFile = join(dir, "admin-token");
    await writeFile(tokenFile, `${h.service.adminToken}\n`);
    await chmod(tokenFile, 0o600);
  });
  after(async () => {
    await h.close();
    await runner.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("--token and --client-secret are refused with a message naming the alternatives, never echoing the value", async () => {
    const secret = "s3cret-value-on-the-command-line";
    const dispatch = ["dispatch", "--agent", "a", "--town", "t", "--user", "u", "--role", "polecat", "--client-id", "worker"];
    for (const args of [["--token", secret, "list"], [`--token=${secret}`, "list"], ["list", "--token", secret], ["--url", h.url, "show", "--token", secret, "x"]]) {
      const run = await runner.cli(args, { AUTH_ISSUER: h.url });
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr, /--token is not accepted: a secret on the command line is visible in ps and shell history; set AUTH_ADMIN_TOKEN, or pass --token-file <path> \(--token-file - reads standard input\)/);
      assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret), "the secret is not repeated");
    }
    for (const args of [[...dispatch, "--client-secret", secret], [...dispatch, `--client-secret=${secret}`]]) {
      const run = await runner.cli(args, { AUTH_ISSUER: h.url });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--client-secret is not accepted: .* set WORKER_CLIENT_SECRET, or pass --client-secret-file <path>/);
      assert.ok(!run.stderr.includes(secret));
    }
    const help = await runner.cli(["--help"]);
    assert.match(help.stdout, /--token-file <path>/);
    assert.doesNotMatch(help.stdout, /--token <|--client-secret </);
  });

  it("the admin token from a file, from standard input, or from AUTH_ADMIN_TOKEN", async () => {
    const viaFile = await runner.cli(["--json", "--token-file", tokenFile, "list"], { AUTH_ISSUER: h.url });
    assert.equal(viaFile.code, 0, viaFile.stderr);
    assert.ok(Array.isArray((JSON.parse(viaFile.stdout) as { sessions: unknown[] }).sessions));
    const viaStdin = await runner.cli(["--json", "--token-file", "-", "list"], { AUTH_ISSUER: h.url }, `${h.service.adminToken}\n`);
    assert.equal(viaStdin.code, 0, viaStdin.stderr);
    const viaEnv = await runner.cli(["--json", "list"], { AUTH_ISSUER: h.url, AUTH_ADMIN_TOKEN: h.service.adminToken });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    // The file wins over the variable; a wrong one is a 401 (exit 6).
    const wrong = join(dir, "wrong");
    await writeFile(wrong, "wrong-admin-token-0123456789\n");
    assert.equal((await runner.cli(["--token-file", wrong, "list"], { AUTH_ISSUER: h.url, AUTH_ADMIN_TOKEN: h.service.adminToken })).code, 6);
  });

  it("an unreadable or empty token file is a usage error (exit 2)", async () => {
    const empty = join(dir, "empty");
    await writeFile(empty, "\n");
    const missing = await runner.cli(["--token-file", join(dir, "nope"), "list"], { AUTH_ISSUER: h.url });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the admin token from .*nope \(ENOENT\)/);
    const blank = await runner.cli(["--token-file", empty, "list"], { AUTH_ISSUER: h.url });
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /the admin token file .* is empty/);
    assert.equal((await runner.cli(["--token-file", "-", "list"], { AUTH_ISSUER: h.url }, "")).code, 2, "nothing on standard input");
  });

  it("dispatch takes the client secret from a file or standard input", async () => {
    const secretFile = join(dir, "client-secret");
    await writeFile(secretFile, WORKER_SECRET);
    const base = ["--json", "dispatch", "--agent", "cli-agent", "--town", "cli-town", "--user", "u1", "--role", "polecat", "--client-id", "worker"];
    const viaFile = await runner.cli([...base, "--client-secret-file", secretFile], { AUTH_ISSUER: h.url });
    assert.equal(viaFile.code, 0, viaFile.stderr);
    await h.verify((JSON.parse(viaFile.stdout) as { access_token: string }).access_token);
    const viaStdin = await runner.cli([...base, "--client-secret-file", "-"], { AUTH_ISSUER: h.url }, WORKER_SECRET);
    assert.equal(viaStdin.code, 0, viaStdin.stderr);
  });
});
