import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { waitFor } from "@gastown/testkit";

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
    const { child, output, exited } = run({ AUTH_PORT: "0" });
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
});
