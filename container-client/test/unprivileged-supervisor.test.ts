import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomUidRange } from "@gastown/testkit";
import { CONTROL_TOKEN } from "./helpers/agent-command.js";
import { SupervisorProcess } from "./helpers/supervisor-process.js";

const BASE = { PATH: process.env.PATH, CONTAINER_CONTROL_TOKEN: CONTROL_TOKEN, AUTH_ISSUER: "http://127.0.0.1:9", GASTOWN_API_URL: "http://127.0.0.1:9" };
const WARNING = /AGENTS RUN AS THE SUPERVISOR'S OWN USER/;

/** Starts `src/main.ts` with `env` (as `user` when given) and answers how it went, with its output. */
async function run(env: NodeJS.ProcessEnv, user?: { uid: number; gid: number }): Promise<{ outcome: "ready" | number | null; output: string }> {
  const supervisor = await SupervisorProcess.start({ ...BASE, ...env }, user);
  const state = await supervisor.ready();
  if (state === "ready") await supervisor.stop();
  return { outcome: state === "ready" ? "ready" : state.code, output: supervisor.lines.join("\n") };
}

describe("whom agents run as, decided at start (a real supervisor process)", () => {
  const { first } = randomUidRange();
  const unprivileged = { uid: first, gid: first };

  it("without root: refuses outside development unless CONTAINER_AGENT_UIDS=off, warns loudly when agents share its user", async () => {
    assert.equal(process.getuid?.(), 0, "this test needs root (CI runs as root) to start a supervisor as an unprivileged user");
    const refused = await run({ NODE_ENV: "production" }, unprivileged);
    assert.equal(refused.outcome, 1, refused.output);
    assert.match(refused.output, /ERR_CONFIG.*lacks CAP_CHOWN.*CONTAINER_AGENT_UIDS=off/);
    const off = await run({ NODE_ENV: "production", CONTAINER_AGENT_UIDS: "off" }, unprivileged);
    assert.equal(off.outcome, "ready", off.output);
    assert.match(off.output, WARNING);
    const development = await run({ NODE_ENV: "development" }, unprivileged);
    assert.equal(development.outcome, "ready", development.output);
    assert.match(development.output, WARNING);
    const range = await run({ NODE_ENV: "development", CONTAINER_AGENT_UIDS: `${first + 1}-${first + 9}` }, unprivileged);
    assert.equal(range.outcome, 1, range.output);
    assert.match(range.output, /CONTAINER_AGENT_UIDS=\d+-\d+ needs root/);
  });

  it("as root: a malformed range or CONTAINER_AGENT_ENV stops it at start with a clear error; a good range starts it without the warning", async () => {
    assert.equal(process.getuid?.(), 0, "this test needs root (CI runs as root)");
    for (const [setting, value, message] of [
      ["CONTAINER_AGENT_UIDS", "0-1000", /includes uid 0/],
      ["CONTAINER_AGENT_UIDS", "2000-1000", /reversed/],
      ["CONTAINER_AGENT_UIDS", "lots", /first-last/],
      ["CONTAINER_AGENT_ENV", "OPENAI_KEY,CONTAINER_CONTROL_TOKEN", /must not name CONTAINER_CONTROL_TOKEN/],
    ] as const) {
      const result = await run({ NODE_ENV: "production", [setting]: value });
      assert.equal(result.outcome, 1, `${setting}=${value}: ${result.output}`);
      assert.match(result.output, message, `${setting}=${value}`);
    }
    const good = await run({ NODE_ENV: "production", CONTAINER_AGENT_UIDS: `${first}-${first + 63}` });
    assert.equal(good.outcome, "ready", good.output);
    assert.doesNotMatch(good.output, WARNING);
    assert.match(good.output, new RegExp(`"agentUids":"${first}-${first + 63}"`));
  });
});
