import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { defineScripts, type RedisConnection, scriptKeyCount } from "../src/index.js";

describe("defineScripts", () => {
  it("reads the number of keys from the file name, and refuses a name without it", () => {
    assert.equal(scriptKeyCount("rotate-1.lua"), 1);
    assert.equal(scriptKeyCount("mark-revoked-3.lua"), 3);
    assert.throws(() => scriptKeyCount("rotate.lua"), /-<number of keys>\.lua/);
  });

  it("defines one command per script, with the file's text and its key count", () => {
    const dir = mkdtempSync(join(tmpdir(), "kit-scripts-"));
    try {
      writeFileSync(join(dir, "touch-2.lua"), "return 1");
      const defined: [string, { lua: string; numberOfKeys: number }][] = [];
      const redis = { defineCommand: (name: string, definition: { lua: string; numberOfKeys: number }) => void defined.push([name, definition]) };
      defineScripts(redis as unknown as RedisConnection, pathToFileURL(`${dir}/`), { touchTwo: "touch-2.lua" });
      assert.deepEqual(defined, [["touchTwo", { lua: "return 1", numberOfKeys: 2 }]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
