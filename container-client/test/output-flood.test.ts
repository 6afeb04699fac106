import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { waitFor } from "@gastown/testkit";
import { type RunningSupervisor, startSupervisor } from "../src/index.js";
import { CONTROL_TOKEN, control } from "./helpers/agent-command.js";
import { RecordingApi } from "./helpers/recording-api.js";
import { RecordingTokenEndpoint } from "./helpers/token-endpoint.js";

const FLOOD_AGENT = fileURLToPath(new URL("./helpers/flood-agent.ts", import.meta.url));
const LINE_MIB = 256;
const LINES = 2_000_000;
const MiB = 1024 * 1024;

describe("an agent flooding its output", () => {
  let endpoint: RecordingTokenEndpoint;
  let api: RecordingApi;
  let supervisor: RunningSupervisor;

  before(async () => {
    endpoint = await new RecordingTokenEndpoint("sess-flood").start();
    endpoint.expiresIn = 2;
    api = await new RecordingApi().start();
    supervisor = await startSupervisor({
      env: { PATH: process.env.PATH },
      port: 0,
      controlToken: CONTROL_TOKEN,
      apiUrl: api.url,
      authUrl: endpoint.url.replace(/\/oauth2\/token$/, ""),
      agentCommand: [process.execPath, "--import", "tsx", FLOOD_AGENT, "--line-mib", String(LINE_MIB), "--lines", String(LINES)],
      heartbeatIntervalMs: 3_600_000,
      logLevel: "silent",
    });
  });
  after(async () => {
    await supervisor.close();
    await api.close();
    await endpoint.close();
  });

  it(`a ${LINE_MIB} MiB line and ${LINES / 1e6} million lines leave the supervisor's memory bounded and its refreshes on time`, async () => {
    global.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 10);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const res = await control(supervisor.url, "POST", "/agents/start", { agent_id: "flood", rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat", tokens: endpoint.issue() });
    assert.equal(res.status, 201);
    const agent = supervisor.agents.get("flood")!;
    const refreshedAt: number[] = [];
    agent.session.on("refreshed", () => refreshedAt.push(Date.now()));
    let lines = 0;
    agent.on("output", () => (lines += 1));
    let expiredSeen = 0;
    const watch = setInterval(() => {
      if (agent.session.accessExpiresAtMs <= Date.now()) expiredSeen += 1;
    }, 50);

    let floodMs: number;
    try {
      await waitFor(() => api.callsTo("/agents/flood/events").find((c) => c.body.type === "after_flood"), 60_000, "the event printed after the flood", 100).catch((error: Error) => {
        throw new Error(`${error.message} (${lines} lines read, agent ${agent.state} ${JSON.stringify(agent.exit)}, ${api.calls.length} calls)`);
      });
      floodMs = Date.now() - started;
      // Keep refreshing a little longer after the flood, then measure.
      await new Promise((r) => setTimeout(r, 2_500));
    } finally {
      clearInterval(sampler);
      clearInterval(watch);
      delay.disable();
    }

    const rssGrowth = (peakRss - baseline.rss) / MiB;
    const heapGrowth = (peakHeap - baseline.heapUsed) / MiB;
    const gaps = refreshedAt.map((t, i) => t - (i === 0 ? started : refreshedAt[i - 1]!));
    const figures = `flood ${floodMs} ms, ${lines} lines, RSS +${rssGrowth.toFixed(1)} MiB, heap +${heapGrowth.toFixed(1)} MiB, refresh gaps ${gaps.join(",")} ms, event-loop delay max ${(delay.max / 1e6).toFixed(0)} ms`;
    process.stdout.write(`# ${figures}\n`);
    assert.ok(lines >= LINES, `every line was read (${figures})`);
    assert.ok(rssGrowth < 128, `RSS stays bounded far below the ${LINE_MIB} MiB line (${figures})`);
    assert.ok(heapGrowth < 96, `heap stays bounded (${figures})`);
    assert.equal(expiredSeen, 0, `the access token never expired (${figures})`);
    assert.ok(refreshedAt.length >= Math.floor(floodMs / 2_000), `refreshes kept coming during the flood (${figures})`);
    assert.ok(gaps.every((gap) => gap < 2_000), `every refresh before the 2 s token expired (${figures})`);
    const metrics = (await supervisor.metrics.render()).body;
    assert.match(metrics, /gastown_container_agent_output_cut_lines_total\{stream="stdout"[^}]*\} 1\b/, `the long line was cut and counted: ${metrics.split("\n").filter((l) => l.includes("cut_lines")).join(" ")}`);
    assert.ok(agent.output.every((line) => line.length <= 4096), "the kept output tail is bounded");
    assert.equal(agent.state, "running");
  });
});
