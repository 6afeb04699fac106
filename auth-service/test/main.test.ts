import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { waitFor } from "@gastown/testkit";
import { exportJWK, generateKeyPair } from "jose";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

function run(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

describe("main (npm start)", () => {
  it("refuses to start in production without settings, naming them, exit code 1", async () => {
    const { output, exited } = run({ NODE_ENV: "production", AUTH_PORT: "0" });
    assert.equal(await exited, 1);
    assert.match(output.stderr, /AUTH_DISPATCHER_CLIENTS, AUTH_ADMIN_TOKEN, AUTH_SIGNING_KEYS_FILE, AUTH_TOKEN_SECRET, REDIS_URL/);
  });

  it("starts in development with a loud warning, serves, and closes cleanly on SIGTERM", async () => {
    const { child, output, exited } = run({ NODE_ENV: "development", AUTH_PORT: "0" });
    try {
      const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output.stdout)?.[1], 20_000, "listening line");
      assert.match(output.stdout, /NOT FOR PRODUCTION/);
      assert.match(output.stderr, /generated admin token/);
      assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: "ok" });
      const response = await fetch(`${url}/readyz`);
      assert.deepEqual(await response.json(), { status: "ok", redis: "memory" });
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("reloads AUTH_SIGNING_KEYS_FILE on SIGHUP (a bad file keeps the old keys)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gastown-sighup-"));
    const file = join(dir, "keys.json");
    const key = async (kid: string) => ({ ...(await exportJWK((await generateKeyPair("ES256", { extractable: true })).privateKey)), kid });
    const [a, b] = [await key("key-a"), await key("key-b")];
    await writeFile(file, JSON.stringify({ keys: [a] }));
    const { child, output, exited } = run({ NODE_ENV: "development", AUTH_PORT: "0", AUTH_SIGNING_KEYS_FILE: file });
    const kids = async (url: string) => ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).join(",");
    try {
      const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output.stdout)?.[1], 20_000, "listening line");
      assert.equal(await kids(url), "key-a");
      await writeFile(file, JSON.stringify({ keys: [a, { ...b, gastown_status: "published" }] }));
      child.kill("SIGHUP");
      await waitFor(async () => (await kids(url)) === "key-a,key-b", 10_000, "reloaded key set");
      assert.match(output.stderr, /signing keys reloaded \(signing kid key-a; published key-a, key-b\)/);
      await writeFile(file, "{broken");
      child.kill("SIGHUP");
      await waitFor(() => /NOT reloaded/.test(output.stderr), 10_000, "refused reload");
      assert.equal(await kids(url), "key-a,key-b");
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
