import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { FLOW_POLICY, runFlows } from "./flows.js";
import { type Harness, STORE_KINDS, startHarness } from "./harness.js";

/** The value of one sample line (`name{labels} value`), undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

for (const kind of STORE_KINDS) {
  describe(`metrics (${kind} store)`, () => {
    const started: Harness[] = [];
    afterEach(async () => {
      await Promise.all(started.splice(0).map((h) => h.close()));
    });

    it("counts grants by type and outcome, reuse, revocations by reason, grace replays, latency and live sessions", async () => {
      const h = await startHarness(kind, { policyOverrides: FLOW_POLICY });
      started.push(h);
      await runFlows(h);
      await h.dispatch({ agent_id: "still-live" });
      await h.form("/oauth2/token", { grant_type: "refresh_token", refresh_token: "gtr_forged", client_id: "gastown-container" }).expect(400);
      const response = await h.http.get("/metrics").expect(200);
      assert.match(String(response.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
      const text = response.text;
      const label = 'service="auth-service"';
      assert.equal(sample(text, `gastown_auth_grants_total{grant_type="agent_dispatch",outcome="issued",${label}}`), 7);
      assert.equal(sample(text, `gastown_auth_grants_total{grant_type="refresh_token",outcome="rotated",${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_grants_total{grant_type="refresh_token",outcome="grace_replay",${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_grants_total{grant_type="refresh_token",outcome="reuse_detected",${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_grants_total{grant_type="refresh_token",outcome="expired",${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_grants_total{grant_type="refresh_token",outcome="invalid_grant",${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_reuse_detections_total{${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_grace_replays_total{${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_revocations_total{reason="admin",${label}}`), 3);
      assert.equal(sample(text, `gastown_auth_revocations_total{reason="client",${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_revocations_total{reason="reuse_detected",${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_revocations_total{reason="expired",${label}}`), 1);
      assert.equal(sample(text, `gastown_auth_revocations_total{reason="superseded",${label}}`), 0);
      assert.equal(sample(text, `gastown_auth_token_request_duration_seconds_count{${label},grant_type="refresh_token"}`), 5);
      assert.equal(sample(text, `gastown_auth_token_request_duration_seconds_count{${label},grant_type="agent_dispatch"}`), 7);
      assert.equal(sample(text, `gastown_auth_live_sessions{${label}}`), 1);
      assert.ok(sample(text, `process_cpu_user_seconds_total{${label}}`) !== undefined, "process metrics are there");
      assert.ok(!/gtr_|eyJ/.test(text), "no token in the metrics");
    });

    it("keeps one registry per instance (two services in one process do not share counters)", async () => {
      const a = await startHarness(kind);
      started.push(a);
      const b = await startHarness(kind);
      started.push(b);
      await a.dispatch();
      await a.dispatch();
      const textA = (await a.http.get("/metrics").expect(200)).text;
      const textB = (await b.http.get("/metrics").expect(200)).text;
      const series = 'gastown_auth_grants_total{grant_type="agent_dispatch",outcome="issued",service="auth-service"}';
      assert.equal(sample(textA, series), 2);
      assert.equal(sample(textB, series), undefined);
    });
  });
}
