import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bearerCandidate, isB64Token, MALFORMED, NOT_BEARER } from "../src/index.js";

/** What the middleware decides for a header: the token, or the refusal (RFC 6750 §2.1, §3.1). */
function decide(header: string): string | typeof NOT_BEARER | typeof MALFORMED {
  const candidate = bearerCandidate(header);
  if (typeof candidate !== "string") return candidate;
  return isB64Token(candidate) ? candidate : MALFORMED;
}

describe("Bearer header parsing (RFC 6750 §2.1)", () => {
  test("the scheme in any case, one or more spaces, a b64token, trailing spaces tolerated", () => {
    assert.equal(decide("Bearer abc.DEF-_~+/x=="), "abc.DEF-_~+/x==");
    assert.equal(decide("bearer abc"), "abc");
    assert.equal(decide("BEARER   abc  "), "abc");
    assert.equal(decide("BeArEr a"), "a");
  });

  test("no header or another scheme gets the bare challenge", () => {
    for (const header of ["", "Basic dXNlcjpwYXNz", "Bearerabc", "Bear abc", "Token abc", "Bearer\tabc", " Bearer abc", "Bearerx abc"]) {
      assert.equal(decide(header), NOT_BEARER, JSON.stringify(header));
    }
  });

  test("the Bearer scheme without a b64token is malformed", () => {
    for (const header of ["Bearer", "bearer", "Bearer ", "Bearer    ", "Bearer not a token", "Bearer a=b", "Bearer abc\tdef", "Bearer ab\u00e9", "Bearer =abc", "Bearer a,b"]) {
      assert.equal(decide(header), MALFORMED, JSON.stringify(header));
    }
  });
});
