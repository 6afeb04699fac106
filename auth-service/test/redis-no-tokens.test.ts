import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type Harness, STORE_KINDS, startHarness, type TokenBody } from "./harness.js";

/** Every form in which a refresh token or its MAC could be written down. */
function forms(token: string): string[] {
  const mac = token.split(".")[2]!;
  const macBytes = Buffer.from(mac, "base64url");
  return [
    token,
    mac,
    mac.slice(0, 16),
    mac.slice(-16),
    macBytes.toString("hex"),
    macBytes.toString("hex").slice(0, 24),
    macBytes.toString("base64"),
    macBytes.toString("base64").slice(0, 16),
    Buffer.from(token).toString("base64"),
    Buffer.from(token).toString("base64url"),
    Buffer.from(token).toString("hex"),
  ];
}

for (const kind of STORE_KINDS) {
  describe(`invariant 7: the store holds nothing that works as a token (${kind} store)`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness(kind);
    });
    afterEach(() => h.close());

    it("no key or value contains a refresh token, its MAC, or their base64/hex forms", async () => {
      const issued: TokenBody[] = [];
      for (let i = 0; i < 4; i++) {
        let tokens = await h.dispatch({ agent_id: `agent-${i}`, ...(i === 0 ? { role: "mayor", rig_id: "" } : {}) });
        issued.push(tokens);
        for (let r = 0; r < 3; r++) {
          h.clock.advance(1);
          tokens = (await h.refresh(tokens.refresh_token).expect(200)).body;
          issued.push(tokens);
        }
        // a grace replay too
        await h.refresh(issued.at(-2)!.refresh_token).expect(200);
      }
      const dump = await h.dump();
      const entries = Object.entries(dump);
      assert.ok(entries.length >= 4, "the dump holds the sessions");
      const haystack = entries.map(([key, value]) => `${key}\n${value}`).join("\n");
      for (const tokens of issued) {
        for (const needle of forms(tokens.refresh_token)) assert.ok(!haystack.includes(needle), `the store holds ${needle}`);
        assert.ok(!haystack.includes(tokens.access_token), "the store holds an access token");
        assert.ok(!haystack.includes(tokens.access_token.split(".")[2]!), "the store holds an access token signature");
      }
    });
  });
}
