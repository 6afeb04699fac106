import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { InvalidAccessTokenError, loadPolicy, verifyAccessToken } from "../src/index.js";

const policy = loadPolicy({});
const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
const now = 1_800_000_000;
const at = new Date(now * 1000);

const claims = {
  client_id: "gastown-container",
  scope: "agent mayor",
  sid: "SessionId0123456789abc",
  agent_id: "mayor-1",
  town_id: "town-1",
  user_id: "user-1",
  role: "mayor",
};

function token(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = privateKey) {
  return new SignJWT({ ...claims, ...overrides })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1", ...header })
    .setIssuer(policy.issuer)
    .setAudience(policy.audience)
    .setSubject((overrides.agent_id as string) ?? claims.agent_id)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .setJti(createHash("sha256").update(String(Math.random())).digest("hex"))
    .sign(key);
}

async function rejects(jwt: string, when = at) {
  await assert.rejects(verifyAccessToken(jwt, publicKey, policy, { currentDate: when }), (e: unknown) => e instanceof InvalidAccessTokenError && e.code === "ERR_INVALID_ACCESS_TOKEN");
}

test("a well-formed RFC 9068 token verifies and returns its claims", async () => {
  const verified = await verifyAccessToken(await token({ rig_id: "rig-1" }), publicKey, policy, { currentDate: at });
  assert.equal(verified.agent_id, "mayor-1");
  assert.equal(verified.rig_id, "rig-1");
  assert.equal(verified.sid, claims.sid);
});

test("expiry honours the clock tolerance and nothing more", async () => {
  const jwt = await token();
  await verifyAccessToken(jwt, publicKey, policy, { currentDate: new Date((now + 3600 + 14) * 1000) });
  await rejects(jwt, new Date((now + 3600 + 16) * 1000));
  await rejects(jwt, new Date((now - 16) * 1000));
});

test("wrong typ, issuer, audience, algorithm and missing claims are refused", async () => {
  await rejects(await token({}, { typ: "JWT" }));
  await rejects(await new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "at+jwt" }).setIssuer("http://evil").setAudience(policy.audience).setSubject("mayor-1").setIssuedAt(now).setExpirationTime(now + 60).setJti("j").sign(privateKey));
  await rejects(await new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "at+jwt" }).setIssuer(policy.issuer).setAudience("other").setSubject("mayor-1").setIssuedAt(now).setExpirationTime(now + 60).setJti("j").sign(privateKey));
  await rejects(await token({ sid: undefined }));
  // Issue 14: a sid that is not a session id could never be revoked by a (validated) revocation message.
  for (const sid of ["s1", "", "A".repeat(23), "SessionId0123456789ab="]) await rejects(await token({ sid }));
  await rejects(await token({ role: "emperor" }));
  await rejects(await token({ agent_id: "bad id with spaces" }));
  await rejects(await new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "at+jwt" }).setIssuer(policy.issuer).setAudience(policy.audience).setSubject("mayor-1").setIssuedAt(now + 60).setExpirationTime(now + 600).setJti("j").sign(privateKey));
  const none = new UnsecuredJWT({ ...claims, sub: "mayor-1", iss: policy.issuer, aud: policy.audience, iat: now, exp: now + 60, jti: "j" }).encode();
  await rejects(none);
  const hsKey = new TextEncoder().encode(JSON.stringify(await exportJWK(publicKey)));
  const hs = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "at+jwt" }).setIssuer(policy.issuer).setAudience(policy.audience).setSubject("mayor-1").setIssuedAt(now).setExpirationTime(now + 60).setJti("j").sign(hsKey);
  await assert.rejects(verifyAccessToken(hs, hsKey, policy, { currentDate: at }), InvalidAccessTokenError);
  await rejects("garbage");
  await rejects("");
});

test("sub must equal agent_id", async () => {
  const jwt = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "at+jwt" }).setIssuer(policy.issuer).setAudience(policy.audience).setSubject("someone-else").setIssuedAt(now).setExpirationTime(now + 60).setJti("j").sign(privateKey);
  await rejects(jwt);
});
