import assert from "node:assert/strict";
import { test } from "node:test";
import * as kit from "../src/index.js";

test("the kit loads", () => {
  assert.equal(typeof kit, "object");
});
