import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { newSessionId, RefreshTokenStrategy } from "../src/tokens/token-strategies.js";

const OLD = "o".repeat(32);
const NEW = "n".repeat(40);

describe("refresh token strategy", () => {
  it("makes gtr_<sid>.<generation>.<mac> with the documented HMAC and reads it back", () => {
    const strategy = new RefreshTokenStrategy([NEW, OLD]);
    const sid = newSessionId();
    assert.match(sid, /^[A-Za-z0-9_-]{22}$/);
    const token = strategy.make(sid, 7);
    const mac = createHmac("sha256", NEW).update(`gtr1|${sid}|7`).digest("base64url");
    assert.equal(token, `gtr_${sid}.7.${mac}`);
    assert.equal(Buffer.from(mac, "base64url").length, 32);
    assert.deepEqual(strategy.verify(token), { sessionId: sid, generation: 7 });
  });

  it("accepts tokens made under every configured secret, makes them under the first", () => {
    const sid = newSessionId();
    const old = new RefreshTokenStrategy([OLD]).make(sid, 3);
    const rotated = new RefreshTokenStrategy([NEW, OLD]);
    assert.deepEqual(rotated.verify(old), { sessionId: sid, generation: 3 });
    assert.notEqual(rotated.make(sid, 3), old);
    assert.equal(new RefreshTokenStrategy([NEW]).verify(old), undefined);
  });

  it("parses strictly", () => {
    const strategy = new RefreshTokenStrategy([OLD]);
    const sid = newSessionId();
    const token = strategy.make(sid, 12);
    const mac = token.split(".")[2]!;
    // The last base64url character of a 32-byte MAC carries 2 unused bits: a different
    // character that decodes to the same bytes must not pass.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const lastIndex = alphabet.indexOf(mac.at(-1)!);
    const sameBytes = `${token.slice(0, -1)}${alphabet[lastIndex ^ 1]}`;
    assert.deepEqual(Buffer.from(sameBytes.split(".")[2]!, "base64url"), Buffer.from(mac, "base64url"));
    const bad = [
      "", "gtr_", `gtr_${sid}.12`, `gtr_${sid}.012.${mac}`, `gtr_${sid}.-1.${mac}`, `gtr_${sid}.1e1.${mac}`,
      `GTR_${sid}.12.${mac}`, `gtr_${sid}.12.${mac}=`, `gtr_${sid}.12.${mac}.`, ` ${token}`, `${token}\n`,
      `gtr_${sid}x.12.${mac}`, `gtr_${sid}.12.${mac.slice(0, -1)}`, `gtr_${sid}.99999999999999999.${mac}`, sameBytes,
      token.replace(".12.", ".13."),
    ];
    for (const candidate of bad) assert.equal(strategy.verify(candidate), undefined, JSON.stringify(candidate));
    assert.equal(strategy.verify(undefined), undefined);
    assert.equal(strategy.verify(42), undefined);
  });
});
