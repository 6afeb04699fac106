import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { DEVELOPMENT, waitFor } from "@gastown/testkit";
import { CONTROL_TOKEN, control } from "./helpers/agent-command.js";
import { dispatch, policyVerifier } from "./helpers/auth.js";
import { RecordingApi } from "./helpers/recording-api.js";
import { SupervisorProcess } from "./helpers/supervisor-process.js";

const HOSTILE_AGENT = fileURLToPath(new URL("./helpers/hostile-agent.ts", import.meta.url));

/** What the supervisor process holds that no agent may learn. */
const SECRETS = {
  CONTAINER_CONTROL_TOKEN: CONTROL_TOKEN,
  AUTH_TOKEN_SECRET: "auth-token-secret-that-must-not-leak-0123456789",
  AUTH_ADMIN_TOKEN: "admin-token-that-must-not-leak-0123456789",
  WORKER_CLIENT_SECRET: "worker-secret-that-must-not-leak-0123456789",
  REDIS_URL: "redis://:redis-password-that-must-not-leak@127.0.0.1:1/0",
};
const AGENTS = [
  { agent_id: "polecat-1", rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat" },
  { agent_id: "polecat-2", rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat" },
  { agent_id: "mayor", town_id: "town-1", user_id: "user-1", role: "mayor" },
];

type Attempt = { ok: boolean; error?: string; text?: string };
interface Probe {
  probe: string;
  uid: number;
  gid: number;
  uids: number[];
  groups: number[];
  noNewPrivs: number;
  env: string[];
  ppid: number;
  parentEnviron: Attempt;
  parentMem: Attempt;
  signalParent: string;
  stateDirListing: Attempt;
  siblings: { agentId: string; tokenFile: Attempt; tokenDir: Attempt; environ: Attempt; signal: string }[];
  controlWithoutCredential: number;
  controlWithGuess: number;
}

function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

function gone(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

describe("hostile agents: two polecats and a Mayor, each as its own uid, under a root supervisor process", () => {
  let auth: RunningAuthService;
  let api: RecordingApi;
  let supervisor: SupervisorProcess;
  const pids = new Map<string, number>();
  const agentEnv = new Map<string, Record<string, string>>();

  before(async () => {
    assert.equal(process.getuid?.(), 0, "this test needs root (CI runs as root): only a root supervisor runs agents as their own uids; run it as root");
    auth = await startAuthService({ env: DEVELOPMENT, port: 0, policyOverrides: { accessTokenTtl: 2, clockTolerance: 1 }, logLevel: "silent", redisUrl: null });
    api = await new RecordingApi(policyVerifier(auth)).start();
    supervisor = await SupervisorProcess.start({
      PATH: process.env.PATH,
      LANG: "C.UTF-8",
      TZ: "UTC",
      ...SECRETS,
      UNRELATED_SETTING: "unrelated",
      LLM_GATEWAY_KEY: "gateway-key-meant-for-agents",
      CONTAINER_AGENT_ENV: "LLM_GATEWAY_KEY",
      AUTH_ISSUER: auth.url,
      GASTOWN_API_URL: api.url,
      AGENT_COMMAND: `${process.execPath} --import tsx ${HOSTILE_AGENT}`,
    });
    assert.equal(await supervisor.ready(), "ready", supervisor.lines.join("\n"));
    for (const agent of AGENTS) {
      const { agent_id, town_id, user_id, role } = agent;
      const tokens = await dispatch(auth, { agent_id, town_id, user_id, role, ...(agent.rig_id ? { rig_id: agent.rig_id } : {}) });
      const res = await control(supervisor.url, "POST", "/agents/start", { ...agent, tokens });
      const text = await res.text();
      assert.equal(res.status, 201, text);
      const { pid } = JSON.parse(text) as { pid: number };
      pids.set(agent_id, pid);
      // Read once the agent program runs (the pid first runs setpriv, which execs it).
      const env = await waitFor(() => {
        const read = environOf(pid);
        return read.HOME && read.GASTOWN_SESSION_TOKEN_FILE ? read : undefined;
      }, 10_000, `${agent_id} environment`);
      agentEnv.set(agent_id, env);
    }
  });
  after(async () => {
    await supervisor?.stop();
    await api?.close();
    await auth?.close();
  });

  it("finds nothing of its siblings or of the supervisor, while its own callbacks succeed across refreshes", async () => {
    const started = Date.now();
    for (const agent of AGENTS) {
      const siblings = AGENTS.filter((a) => a !== agent).map((a) => ({ agentId: a.agent_id, pid: pids.get(a.agent_id)!, tokenFile: agentEnv.get(a.agent_id)!.GASTOWN_SESSION_TOKEN_FILE! }));
      const res = await control(supervisor.url, "POST", `/agents/${agent.agent_id}/message`, { prompt: JSON.stringify({ controlUrl: supervisor.url, siblings }) });
      assert.equal(res.status, 202);
    }
    const probes = new Map<string, Probe>();
    for (const agent of AGENTS) {
      const file = join(agentEnv.get(agent.agent_id)!.HOME!, "probe.json");
      probes.set(agent.agent_id, await waitFor(() => (existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Probe) : undefined), 20_000, `${agent.agent_id} probe`));
    }
    const uids = [...probes.values()].map((p) => p.uid);
    assert.equal(new Set(uids).size, 3, `three distinct uids: ${uids}`);
    for (const [id, p] of probes) {
      assert.ok(p.uid >= 100_000 && p.uid <= 165_535, `${id}: uid ${p.uid} from the default range (not 0, not the supervisor's)`);
      assert.deepEqual(p.uids, [p.uid, p.uid, p.uid, p.uid], `${id}: real, effective, saved and fs uid`);
      assert.equal(p.gid, p.uid, `${id}: its own gid`);
      assert.deepEqual(p.groups, [], `${id}: no supplementary groups`);
      assert.equal(p.noNewPrivs, 1, `${id}: no_new_privs (no privilege through a set-user-id program)`);
      const gastown = ["GASTOWN_AGENT_ID", "GASTOWN_API_URL", "GASTOWN_ROLE", ...(id === "mayor" ? [] : ["GASTOWN_RIG_ID"]), "GASTOWN_SESSION_TOKEN_FILE", "GASTOWN_TOWN_ID"];
      assert.deepEqual(p.env, ["HOME", "LANG", "LLM_GATEWAY_KEY", "PATH", "TZ", ...gastown].sort(), `${id}: only the allowlist and CONTAINER_AGENT_ENV`);
      assert.equal(agentEnv.get(id)!.LLM_GATEWAY_KEY, "gateway-key-meant-for-agents");
      assert.equal(p.ppid, supervisor.pid, `${id}: its parent is the supervisor`);
      assert.equal(p.parentEnviron.ok, false, `${id}: /proc/<ppid>/environ unreadable`);
      for (const secret of Object.values(SECRETS)) assert.ok(!JSON.stringify(p).includes(secret), `${id}: no secret anywhere in what it found`);
      assert.equal(p.parentMem.ok, false, `${id}: /proc/<ppid>/mem unreadable`);
      assert.equal(p.signalParent, "EPERM", `${id}: cannot signal the supervisor`);
      assert.equal(p.stateDirListing.error, "EACCES", `${id}: cannot list the state directory`);
      for (const s of p.siblings) {
        assert.equal(s.tokenFile.error, "EACCES", `${id} -> ${s.agentId} token file`);
        assert.equal(s.tokenDir.error, "EACCES", `${id} -> ${s.agentId} token directory`);
        assert.equal(s.environ.error, "EACCES", `${id} -> ${s.agentId} /proc/<pid>/environ`);
        assert.equal(s.signal, "EPERM", `${id} -> ${s.agentId} signal`);
      }
      assert.equal(p.controlWithoutCredential, 401, `${id}: control server without the credential`);
      assert.equal(p.controlWithGuess, 401, `${id}: control server with a guessed credential`);
    }
    // Meanwhile (2 s access tokens): every callback of each agent carries a valid token of its own, across refreshes.
    const callsOf = (agentId: string) => api.calls.filter((c) => c.path.includes(`/agents/${agentId}/`));
    const tokensSince = (agentId: string) => new Set(callsOf(agentId).filter((c) => c.at >= started).map((c) => c.token)).size;
    await waitFor(() => AGENTS.every((a) => tokensSince(a.agent_id) >= 4), 40_000, "calls on four access tokens of each agent", 250);
    assert.deepEqual(api.rejections, [], "no callback was refused");
    for (const agent of AGENTS) {
      const calls = callsOf(agent.agent_id);
      const log = readFileSync(join(agentEnv.get(agent.agent_id)!.HOME!, "calls.log"), "utf8").trim().split("\n");
      assert.ok(log.every((line) => line.endsWith(" 200")), `${agent.agent_id}: every call it made succeeded (${log.filter((l) => !l.endsWith(" 200")).join("; ")})`);
      assert.ok(calls.length >= 8, `${agent.agent_id}: kept calling (${calls.length})`);
      assert.ok(calls.every((c) => c.status === 200 && c.claims?.agent_id === agent.agent_id), `${agent.agent_id}: its own valid tokens`);
    }
  });

  it("a process an agent leaves behind dies with it, and its files go", async () => {
    const env = agentEnv.get("polecat-1")!;
    assert.equal((await control(supervisor.url, "POST", "/agents/polecat-1/message", { prompt: "daemon" })).status, 202);
    const daemonFile = join(env.HOME!, "daemon.json");
    const { daemon } = await waitFor(() => (existsSync(daemonFile) ? (JSON.parse(readFileSync(daemonFile, "utf8")) as { daemon: number }) : undefined), 20_000, "daemon pid");
    assert.equal(gone(daemon), false, "the daemon runs");
    const stopped = await control(supervisor.url, "DELETE", "/agents/polecat-1");
    assert.equal(((await stopped.json()) as { state: string }).state, "stopped");
    await waitFor(() => gone(daemon), 10_000, "the daemon killed with the agent's uid");
    await waitFor(() => !existsSync(env.HOME!) && !existsSync(env.GASTOWN_SESSION_TOKEN_FILE!), 10_000, "the agent's workspace removed");
    assert.equal(gone(pids.get("polecat-2")!), false, "its siblings live on");
  });
});
