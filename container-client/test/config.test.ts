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
  it("refuses to start outside development without CONTAINER_CONTROL_TOKEN, and generates one in development", () => {
    for (const env of [{}, { NODE_ENV: "production" }]) {
      assert.throws(() => loadSupervisorConfig(env), /refuses to start .*missing setting\(s\): CONTAINER_CONTROL_TOKEN$/);
    }
    const dev = loadSupervisorConfig({ NODE_ENV: "development" });
    assert.deepEqual([...dev.developmentDefaults], ["CONTAINER_CONTROL_TOKEN"]);
    assert.match(dev.options.controlToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(dev.options.port, 4200);
    assert.equal(dev.options.host, "127.0.0.1");
    assert.equal(dev.options.logLevel, "info");
    assert.equal(dev.options.apiUrl, "http://127.0.0.1:4100");
    assert.equal(dev.options.authUrl, "http://127.0.0.1:4000");
    const control = "ct-M4nB7vC2xZ9lK6jH3gF8dS1aQ5wE0rT";
    const prod = loadSupervisorConfig({ NODE_ENV: "production", CONTAINER_CONTROL_TOKEN: control, CONTAINER_HOST: "0.0.0.0", CONTAINER_PORT: "4300", LOG_LEVEL: "debug", AGENT_COMMAND: "bin/agent --x 'a b'", AUTH_ISSUER: "http://auth.internal:4001", GASTOWN_API_URL: "http://worker.internal:4100/" });
    assert.deepEqual([...prod.developmentDefaults], []);
    assert.deepEqual(prod.options.agentCommand, ["bin/agent", "--x", "a b"]);
    assert.deepEqual([prod.options.host, prod.options.port, prod.options.logLevel], ["0.0.0.0", 4300, "debug"]);
    assert.deepEqual([prod.options.authUrl, prod.options.apiUrl], ["http://auth.internal:4001", "http://worker.internal:4100"]);
    assert.throws(() => loadSupervisorConfig({ NODE_ENV: "development", CONTAINER_PORT: "http" }), { code: "ERR_CONFIG" });
  });

  it("outside development the control token must be strong and not a published example", () => {
    for (const weak of ["c".repeat(40), "change-me", "short"]) {
      assert.throws(() => loadSupervisorConfig({ CONTAINER_CONTROL_TOKEN: weak }), (error: Error) => /CONTAINER_CONTROL_TOKEN (must be at least 32|is a published example)/.test(error.message) && !error.message.includes(weak));
    }
  });

  it("builds an agent environment from the allowlist, with no rig variable for town-level agents", () => {
    const inherited = { GASTOWN_RIG_ID: "stale", AUTH_ADMIN_TOKEN: "x", HOME: "/supervisor-home", PATH: "/bin", TZ: "UTC", UNRELATED: "u", LLM_KEY: "k" };
    const env = agentEnvironment({ inherited, passNames: ["LLM_KEY", "NOT_SET"], agent: { agentId: "m", townId: "t", role: "mayor" }, apiUrl: "http://api", tokenFile: "/f", home: "/agent-home" });
    assert.deepEqual(env, { PATH: "/bin", TZ: "UTC", LLM_KEY: "k", HOME: "/agent-home", GASTOWN_API_URL: "http://api", GASTOWN_SESSION_TOKEN_FILE: "/f", GASTOWN_AGENT_ID: "m", GASTOWN_TOWN_ID: "t", GASTOWN_ROLE: "mayor" });
  });
});

describe("agent isolation settings", () => {
  it("reads CONTAINER_AGENT_UIDS and CONTAINER_AGENT_ENV, refusing bad values", () => {
    const { options } = loadSupervisorConfig({ NODE_ENV: "development", CONTAINER_AGENT_UIDS: "200000-200099", CONTAINER_AGENT_ENV: "LLM_KEY, OTHER_KEY" });
    assert.deepEqual(options.agentUids, { first: 200000, last: 200099 });
    assert.deepEqual(options.agentEnvNames, ["LLM_KEY", "OTHER_KEY"]);
    assert.equal(loadSupervisorConfig({ NODE_ENV: "development", CONTAINER_AGENT_UIDS: "off" }).options.agentUids, "off");
    assert.throws(() => loadSupervisorConfig({ NODE_ENV: "development", CONTAINER_AGENT_UIDS: "0-10" }), /CONTAINER_AGENT_UIDS/);
  });
});
