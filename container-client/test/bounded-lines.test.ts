import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { readBoundedLines } from "../src/supervisor/bounded-lines.js";

/** Feeds `chunks` through readBoundedLines with a limit of `max` bytes and answers the lines seen. */
async function lines(chunks: (string | Buffer)[], max: number): Promise<[string, boolean][]> {
  const input = new PassThrough();
  const seen: [string, boolean][] = [];
  readBoundedLines(input, max, (line, cut) => seen.push([line, cut]));
  for (const chunk of chunks) input.write(chunk);
  input.end();
  await new Promise((resolve) => input.once("end", resolve));
  return seen;
}

describe("bounded line reading of agent output", () => {
  const cases: [string, (string | Buffer)[], number, [string, boolean][]][] = [
    ["lines in one chunk, CRLF and LF", ["a\r\nbb\nccc\n"], 10, [["a", false], ["bb", false], ["ccc", false]]],
    ["a line across chunks", ["ab", "cd", "e\nf\n"], 10, [["abcde", false], ["f", false]]],
    ["a last line without newline", ["x\ny"], 10, [["x", false], ["y", false]]],
    ["a line cut at the limit in one chunk", ["0123456789abc\nok\n"], 5, [["01234", true], ["ok", false]]],
    ["a line cut across chunks", ["012", "345", "678\n", "ok\n"], 5, [["01234", true], ["ok", false]]],
    ["a line exactly at the limit", ["01234\n"], 5, [["01234", false]]],
    ["empty lines", ["\n\n"], 5, [["", false], ["", false]]],
    ["a cut last line without newline", ["0123456789"], 5, [["01234", true]]],
    ["utf-8 split across chunks", [Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a])], 10, [["é", false]]],
  ];
  for (const [name, chunks, max, expected] of cases) it(name, async () => assert.deepEqual(await lines(chunks, max), expected));

  it("holds at most the limit of a 64 MiB line", async () => {
    const input = new PassThrough();
    const seen: [number, boolean][] = [];
    readBoundedLines(input, 1024, (line, cut) => seen.push([line.length, cut]));
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const mib = Buffer.alloc(1024 * 1024, "y");
    for (let i = 0; i < 64; i += 1) {
      input.write(mib);
      await new Promise((resolve) => setImmediate(resolve));
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    input.end("\nnext\n");
    await new Promise((resolve) => input.once("end", resolve));
    assert.deepEqual(seen, [[1024, true], [4, false]]);
    assert.ok(peak - before < 16 * 1024 * 1024, `buffers grew by ${((peak - before) / 1048576).toFixed(1)} MiB`);
  });
});
