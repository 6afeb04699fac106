import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { counter, counterBy, gaugeAtScrape, ServiceMetrics } from "../src/index.js";

class TestMetrics extends ServiceMetrics {
  readonly calls = counter(this.registry, { name: "test_calls_total", help: "Calls." });
  readonly refusals = counterBy(this.registry, { name: "test_refusals_total", help: "Refusals by reason.", label: "reason", values: ["rate", "quota"] });
  size = 0;

  constructor() {
    super("test-service");
    gaugeAtScrape(this.registry, { name: "test_size", help: "Size read at scrape.", read: () => this.size });
  }
}

describe("metrics helpers", () => {
  it("a labelled counter exports every value at 0 before its first event; a gauge is read at scrape; the registry carries the service label", async () => {
    const metrics = new TestMetrics();
    metrics.size = 7;
    metrics.calls.inc();
    metrics.refusals.inc({ reason: "rate" });
    const { contentType, body } = await metrics.render();
    assert.match(contentType, /^text\/plain/);
    assert.match(body, /^test_calls_total\{service="test-service"\} 1$/m);
    assert.match(body, /^test_refusals_total\{reason="rate",service="test-service"\} 1$/m);
    assert.match(body, /^test_refusals_total\{reason="quota",service="test-service"\} 0$/m);
    assert.match(body, /^test_size\{service="test-service"\} 7$/m);
  });
});
