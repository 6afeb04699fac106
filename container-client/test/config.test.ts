import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agentEnvironment, loadSupervisorConfig, splitCommandLine } from "../src/index.js";

describe("AGENT_COMMAND splitting", () => {
  const cases: [string, string[]][] = [
    ["node dist/sample-agent.js --interval-ms 500", ["node", "dist/sample-agent.js", "--interval-ms", "500"]],
    [`  claude  --flag "two words" 'it''s' `, ["claude", "--flag", "two words", "its"]],
    [`a\\ b "x\\"y" '$HOME'`, ["a b", 'x"y', "$HOME"]],
    [`""`, [""]],
  ];
  for (const [line, words] of cases) it(`splits ${JSON.stringify(line)}`, () => assert.deepEqual(splitCommandLine(line), words));
  it("refuses an unterminated quote and an empty command", () => {
    assert.throws(() => splitCommandLine(`node "x`), { code: "ERR_CONFIG" });
    assert.throws(() => splitCommandLine("   "), { code: "ERR_CONFIG" });
  });
});

describe("supervisor settings", () => {
  it("refuses to start in production without CONTAINER_CONTROL_TOKEN, and generates one in development", () => {
    assert.throws(() => loadSupervisorConfig({ NODE_ENV: "production" }), /CONTAINER_CONTROL_TOKEN/);
    const dev = loadSupervisorConfig({});
    assert.ok((dev.generatedControlToken ?? "").length >= 32);
    assert.equal(dev.options.controlToken, dev.generatedControlToken);
    assert.equal(dev.options.port, 4200);
    assert.equal(dev.options.apiUrl, "http://127.0.0.1:4100");
    assert.equal(dev.options.authUrl, "http://127.0.0.1:4000");
    const prod = loadSupervisorConfig({ NODE_ENV: "production", CONTAINER_CONTROL_TOKEN: "c".repeat(40), CONTAINER_PORT: "4300", AGENT_COMMAND: "bin/agent --x 'a b'", AUTH_ISSUER: "http://127.0.0.1:4001" });
    assert.equal(prod.generatedControlToken, undefined);
    assert.deepEqual(prod.options.agentCommand, ["bin/agent", "--x", "a b"]);
    assert.equal(prod.options.port, 4300);
    assert.equal(prod.options.authUrl, "http://127.0.0.1:4001");
    assert.throws(() => loadSupervisorConfig({ CONTAINER_PORT: "http" }), { code: "ERR_CONFIG" });
  });

  it("builds an agent environment from the allowlist, with no rig variable for town-level agents", () => {
    const inherited = { GASTOWN_RIG_ID: "stale", AUTH_ADMIN_TOKEN: "x", HOME: "/supervisor-home", PATH: "/bin", TZ: "UTC", UNRELATED: "u", LLM_KEY: "k" };
    const env = agentEnvironment({ inherited, passNames: ["LLM_KEY", "NOT_SET"], agent: { agentId: "m", townId: "t", role: "mayor" }, apiUrl: "http://api", tokenFile: "/f", home: "/agent-home" });
    assert.deepEqual(env, { PATH: "/bin", TZ: "UTC", LLM_KEY: "k", HOME: "/agent-home", GASTOWN_API_URL: "http://api", GASTOWN_SESSION_TOKEN_FILE: "/f", GASTOWN_AGENT_ID: "m", GASTOWN_TOWN_ID: "t", GASTOWN_ROLE: "mayor" });
  });
});
