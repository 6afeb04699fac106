import assert from "node:assert/strict";
import { test } from "node:test";
import { hasScope, InProcessRevocationBus, isId, isRole, parseRevocationEvent, parseScope, ROLE_SCOPES } from "../src/index.js";

test("id syntax", () => {
  for (const ok of ["a", "Mayor-1", "rig.x:y_z", "A".repeat(128)]) assert.equal(isId(ok), true, ok);
  for (const bad of ["", "-a", ".a", "a b", "a/b", "A".repeat(129), 5, null]) assert.equal(isId(bad), false, String(bad));
});

test("roles and their scopes", () => {
  assert.equal(isRole("mayor"), true);
  assert.equal(isRole("admin"), false);
  assert.deepEqual(ROLE_SCOPES.mayor, ["agent", "mayor"]);
  assert.deepEqual(ROLE_SCOPES.polecat, ["agent"]);
  assert.deepEqual(parseScope(" agent  mayor agent "), ["agent", "mayor"]);
  assert.equal(hasScope("agent mayor", "mayor"), true);
  assert.equal(hasScope("agent", "mayor"), false);
});

test("revocation events parse strictly", () => {
  assert.deepEqual(parseRevocationEvent('{"sid":"s","reason":"admin","until":5}'), { sid: "s", reason: "admin", until: 5 });
  assert.equal(parseRevocationEvent('{"sid":"s","reason":"nope","until":5}'), undefined);
  assert.equal(parseRevocationEvent("not json"), undefined);
});

test("the in-process bus delivers and keeps events until their until", () => {
  const bus = new InProcessRevocationBus();
  const seen: string[] = [];
  const off = bus.subscribe((e) => seen.push(e.sid));
  bus.publish({ sid: "a", reason: "admin", until: 100 });
  off();
  bus.publish({ sid: "b", reason: "client", until: 200 });
  assert.deepEqual(seen, ["a"]);
  assert.deepEqual(bus.revokedSince(150).map((e) => e.sid), ["b"]);
});
