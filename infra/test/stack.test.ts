import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { randomPrefix, startRedisServer, waitFor } from "@gastown/testkit";

const STACK = fileURLToPath(new URL("../dist/stack.js", import.meta.url));

async function runStack(redisUrl: string | null): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, AUTH_PORT: "0", WORKER_PORT: "0", CONTAINER_PORT: "0" };
  for (const name of ["REDIS_URL", "NODE_ENV", "CONTAINER_CONTROL_TOKEN", "AUTH_ISSUER", "GASTOWN_API_URL"]) delete env[name];
  if (redisUrl !== null) Object.assign(env, { REDIS_URL: redisUrl, REDIS_PREFIX: randomPrefix("stack") });
  const child = spawn(process.execPath, [STACK, "--access-ttl", "2", "--interval-ms", "300"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    await waitFor(() => /DEVELOPMENT STACK - NOT FOR PRODUCTION/.test(out), 30_000, "the development warning");
    await waitFor(() => new RegExp(`sessions: ${redisUrl === null ? "in memory" : "Redis"}`).test(out), 10_000, "the session store named");
    await waitFor(() => /refresh +mayor +sid=\S+ gen [1-9]\d* .*→ next in \d+\.\ds/.test(out), 30_000, "a refresh of the Mayor");
    await waitFor(() => /refresh +polecat-1 +sid=\S+ gen [1-9]/.test(out), 30_000, "a refresh of the polecat");
    await waitFor(() => /call +mayor +tool 202 ok/.test(out) && /call +polecat-1 +events 202 ok/.test(out), 30_000, "successful callbacks of both");
    // A second generation means callbacks kept succeeding across a rotation.
    await waitFor(() => /refresh +mayor +sid=\S+ gen [2-9]/.test(out), 30_000, "a second refresh of the Mayor");
  } finally {
    child.kill("SIGINT");
  }
  const code = await exited;
  assert.equal(code, 0, `exit code; stderr: ${err}`);
  assert.match(out, /stopped cleanly/);
  assert.doesNotMatch(out, /FAILED/, "no failed callback");
  for (const marker of ["gtr_", "eyJ"]) {
    assert.ok(!out.includes(marker) && !err.includes(marker), `no token (${marker}) was printed`);
  }
  assert.doesNotMatch(out, /^\{"level"/m, "compact lines, not raw JSON logs");
}

test("npm start: shows refreshes and callbacks of the Mayor and the polecat, never a token, and Ctrl-C exits 0", () => runStack(null));

test("npm start with REDIS_URL: the same, with Redis for everything", async () => {
  const redis = await startRedisServer();
  try {
    await runStack(redis.url);
  } finally {
    await redis.kill();
  }
});
