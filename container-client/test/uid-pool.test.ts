import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { randomUidRange, waitFor } from "@gastown/testkit";
import { missingIsolationCapabilities, parseAgentEnvNames, parseAgentUids, type RunningSupervisor, resolveAgentUsers, startSupervisor, UidPool } from "../src/index.js";
import { CONTROL_TOKEN, control, sampleAgentCommand } from "./helpers/agent-command.js";
import { RecordingApi } from "./helpers/recording-api.js";
import { RecordingTokenEndpoint } from "./helpers/token-endpoint.js";

/** Live processes whose real uid is `uid` (from /proc; a zombie waiting for init to reap it is dead). */
function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, "utf8");
      if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(status) && !/^State:\s+Z/m.test(status)) pids.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

describe("CONTAINER_AGENT_UIDS and CONTAINER_AGENT_ENV settings", () => {
  const bad: [string, RegExp][] = [
    ["100-", /first-last/],
    ["abc", /first-last/],
    ["100000", /first-last/],
    ["-5-10", /first-last/],
    ["1.5-10", /first-last/],
    ["200-100", /reversed/],
    ["0-100", /uid 0/],
    ["0-0", /uid 0/],
    ["1-4294967295", /highest uid/],
    ["OFF", /first-last/],
  ];
  for (const [raw, message] of bad) it(`refuses CONTAINER_AGENT_UIDS=${raw}`, () => assert.throws(() => parseAgentUids(raw), { code: "ERR_CONFIG", message }));
  it("reads a range, off, and unset", () => {
    assert.deepEqual(parseAgentUids(" 100000-100009 "), { first: 100000, last: 100009 });
    assert.deepEqual(parseAgentUids("5-5"), { first: 5, last: 5 });
    assert.equal(parseAgentUids("off"), "off");
    assert.equal(parseAgentUids(""), undefined);
    assert.equal(parseAgentUids(undefined), undefined);
  });
  it("reads CONTAINER_AGENT_ENV names and refuses the supervisor's own", () => {
    assert.deepEqual(parseAgentEnvNames("LLM_KEY, OTHER_1,,LLM_KEY"), ["LLM_KEY", "OTHER_1"]);
    assert.deepEqual(parseAgentEnvNames(undefined), []);
    for (const name of ["CONTAINER_CONTROL_TOKEN", "AUTH_TOKEN_SECRET", "WORKER_CLIENT_SECRET", "REDIS_URL", "GASTOWN_AGENT_ID", "HOME", "AGENT_COMMAND"]) {
      assert.throws(() => parseAgentEnvNames(`LLM_KEY,${name}`), { code: "ERR_CONFIG", message: new RegExp(name) });
    }
    assert.throws(() => parseAgentEnvNames("A-B"), { code: "ERR_CONFIG", message: /not a variable name/ });
  });
  it("decides whom agents run as: root gets the default range, a user without root warns or refuses in production", () => {
    assert.deepEqual(resolveAgentUsers(undefined, true, []), { first: 100000, last: 165535 });
    assert.deepEqual(resolveAgentUsers({ first: 7, last: 9 }, true, []), { first: 7, last: 9 });
    assert.equal(resolveAgentUsers("off", true, ["CAP_SETUID"]), "off");
    assert.equal(resolveAgentUsers(undefined, false, ["CAP_SETUID"]), "off");
    assert.throws(() => resolveAgentUsers(undefined, true, ["CAP_SETUID"]), { code: "ERR_CONFIG", message: /CONTAINER_AGENT_UIDS=off/ });
    assert.throws(() => resolveAgentUsers({ first: 7, last: 9 }, false, ["CAP_SETUID"]), { code: "ERR_CONFIG", message: /needs root/ });
  });
  it("reads the capabilities it needs from /proc/self/status", () => {
    assert.deepEqual(missingIsolationCapabilities("CapEff:\t000001ffffffffff\n"), []);
    assert.deepEqual(missingIsolationCapabilities("CapEff:\t0000000000000000\n"), ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_SETGID", "CAP_SETUID"]);
    assert.deepEqual(missingIsolationCapabilities("CapEff:\t00000000000000c0\n"), ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL"]);
    assert.equal(process.getuid?.(), 0, "this test needs root (CI runs as root)");
    assert.deepEqual(missingIsolationCapabilities(), [], "root here holds what isolation needs");
  });
});

describe("the uid pool", () => {
  it("hands out distinct uids next-fit, never an excluded one, releases, and says when it is exhausted", () => {
    const pool = new UidPool({ first: 10, last: 13 }, [11], 10);
    assert.equal(pool.size, 3);
    const a = pool.allocate();
    const b = pool.allocate();
    const c = pool.allocate();
    assert.deepEqual([a, b, c], [{ uid: 10, gid: 10 }, { uid: 12, gid: 12 }, { uid: 13, gid: 13 }]);
    assert.throws(() => pool.allocate(), { code: "ERR_NO_AGENT_UID", message: /no free agent uid.*10-13/ });
    pool.release(b);
    assert.equal(pool.inUse, 2);
    assert.deepEqual(pool.allocate(), { uid: 12, gid: 12 });
    pool.release(a);
    pool.release(c);
    assert.deepEqual(pool.allocate(), { uid: 13, gid: 13 }, "next-fit: the one released last comes back last");
    assert.throws(() => new UidPool({ first: 0, last: 3 }), { code: "ERR_CONFIG" });
    const shared = new UidPool({ first: 20, last: 22 }, [], 20);
    assert.deepEqual(shared.allocate(new Set([20, 21])), { uid: 22, gid: 22 }, "a uid that runs processes is skipped");
    assert.throws(() => shared.allocate(new Set([20, 21])), { code: "ERR_NO_AGENT_UID" });
    const starts = new Set(Array.from({ length: 20 }, () => new UidPool({ first: 100000, last: 165535 }).allocate().uid));
    assert.ok(starts.size > 1, "next-fit starts at a random place");
  });
});

describe("a supervisor with two agent uids", () => {
  let endpoint: RecordingTokenEndpoint;
  let api: RecordingApi;
  let supervisor: RunningSupervisor;
  const FIRST = randomUidRange(2).first;
  const body = (agentId: string) => ({ agent_id: agentId, rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat", tokens: endpoint.issue() });

  before(async () => {
    assert.equal(process.getuid?.(), 0, "this test needs root (CI runs as root): agents run as other uids only under root");
    endpoint = await new RecordingTokenEndpoint("sess-pool").start();
    api = await new RecordingApi().start();
    supervisor = await startSupervisor({
      env: { PATH: process.env.PATH },
      port: 0,
      controlToken: CONTROL_TOKEN,
      apiUrl: api.url,
      authUrl: endpoint.url.replace(/\/oauth2\/token$/, ""),
      agentCommand: sampleAgentCommand("--interval-ms", "200"),
      agentUids: { first: FIRST, last: FIRST + 1 },
      logLevel: "silent",
    });
  });
  after(async () => {
    await supervisor.close();
    await api.close();
    await endpoint.close();
  });

  it("runs one agent per uid, answers 503 with nothing half-started when none is free, and frees a uid when its agent ends", async () => {
    assert.equal((await control(supervisor.url, "POST", "/agents/start", body("a"))).status, 201);
    assert.equal((await control(supervisor.url, "POST", "/agents/start", body("b"))).status, 201);
    const uids = ["a", "b"].map((id) => supervisor.agents.get(id)!.user!.uid).sort();
    assert.deepEqual(uids, [FIRST, FIRST + 1]);
    for (const id of ["a", "b"]) {
      const status = readFileSync(`/proc/${supervisor.agents.get(id)!.pid}/status`, "utf8");
      assert.match(status, new RegExp(`^Uid:\\s+${supervisor.agents.get(id)!.user!.uid}\\s`, "m"), `${id} runs as its uid`);
    }
    const workspaces = readdirSync(supervisor.stateDir).sort();
    const refreshes = endpoint.refreshCount;

    const full = await control(supervisor.url, "POST", "/agents/start", body("c"));
    assert.equal(full.status, 503);
    const answer = (await full.json()) as { error: string; error_description: string };
    assert.equal(answer.error, "unavailable");
    assert.match(answer.error_description, new RegExp(`no free agent uid.*${FIRST}-${FIRST + 1}`));
    assert.equal(supervisor.agents.has("c"), false, "no agent c");
    assert.deepEqual(readdirSync(supervisor.stateDir).sort(), workspaces, "no workspace for c");
    assert.equal(supervisor.uids?.inUse, 2);
    assert.equal(endpoint.refreshCount, refreshes, "no session for c");

    // An agent that ends on its own gives its uid back, once its processes and files are gone.
    const a = supervisor.agents.get("a")!;
    const aUid = a.user!.uid;
    assert.equal((await control(supervisor.url, "POST", "/agents/a/message", { prompt: "stop" })).status, 202);
    await a.ended;
    assert.equal(supervisor.uids?.inUse, 1);
    assert.deepEqual(processesOf(aUid), [], "nothing left under a's uid");
    assert.equal(readdirSync(supervisor.stateDir).length, 1, "a's workspace removed");
    const c = await control(supervisor.url, "POST", "/agents/start", body("c"));
    assert.equal(c.status, 201);
    assert.equal(supervisor.agents.get("c")!.user!.uid, aUid, "c gets the uid a freed");
    await waitFor(() => api.callsTo("/agents/c/events").length > 0, 20_000, "c calls back");
    await control(supervisor.url, "DELETE", "/agents/b");
    await control(supervisor.url, "DELETE", "/agents/c");
    assert.equal(supervisor.uids?.inUse, 0);
  });
});
