import assert from "node:assert/strict";
import { test } from "node:test";
import { percentile, SampleBuffer, summarize } from "../src/load/stats.js";
import { markdownTable } from "../src/report/table.js";

test("percentile is nearest-rank over an ascending array", () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 95), 95);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test("summarize sorts samples and derives the rate from the window", () => {
  const summary = summarize([5, 1, 4, 2, 3], 2, 0.5);
  assert.deepEqual(
    { ok: summary.ok, errors: summary.errors, perSecond: summary.perSecond, p50: summary.p50, p99: summary.p99, max: summary.max },
    { ok: 5, errors: 2, perSecond: 10, p50: 3, p99: 5, max: 5 },
  );
});

test("SampleBuffer grows past its first capacity and keeps every value", () => {
  const buffer = new SampleBuffer();
  for (let i = 0; i < 40_000; i++) buffer.push(i);
  assert.equal(buffer.length, 40_000);
  assert.equal(buffer.values()[39_999], 39_999);
  assert.equal(buffer.values().length, 40_000);
});

test("markdownTable aligns figures right and escapes pipes", () => {
  const table = markdownTable(["server", "req/s"], [["a|b", 12], ["c", "3"]]);
  assert.equal(table, ["| server | req/s |", "| :--- | ---: |", "| a\\|b | 12 |", "| c | 3 |"].join("\n"));
});
