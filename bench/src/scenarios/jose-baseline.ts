import { generateKeyPair, jwtVerify, SignJWT } from "jose";
import { loadPolicy } from "@gastown/token-policy";
import { measureRate, type RateFigure } from "./verify-rate.js";

/**
 * The baseline of the in-process check: jose's raw `jwtVerify` (ES256 signature,
 * `typ`, `iss`, `aud`, times) of a token shaped like ours, no cache, no claim checks.
 */
export async function measureJoseVerify(durationMs: number): Promise<RateFigure> {
  const policy = loadPolicy({}, {});
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    client_id: policy.audience,
    scope: "agent",
    sid: "s-1",
    agent_id: "agent-1",
    rig_id: "rig-1",
    town_id: "town-1",
    user_id: "user-1",
    role: "polecat",
  })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1" })
    .setIssuer(policy.issuer)
    .setAudience(policy.audience)
    .setSubject("agent-1")
    .setJti("jti-1")
    .setIssuedAt(now)
    .setExpirationTime(now + policy.accessTokenTtl)
    .sign(privateKey);
  const options = { algorithms: ["ES256"], issuer: policy.issuer, audience: policy.audience, typ: "at+jwt" };
  return measureRate("jose jwtVerify (ES256, raw)", () => jwtVerify(token, publicKey, options), durationMs);
}
