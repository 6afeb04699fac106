import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from "jose";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

export interface TestIssuer {
  url: string;
  keys: SigningKey[];
  /** How many times the JWKS was served. */
  jwksFetches: number;
  newKey(publish?: boolean): Promise<SigningKey>;
  close(): Promise<void>;
}

export async function makeKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  return { kid, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

/** A tiny stand-in for the auth-service's metadata + JWKS, so tests can mint their own tokens. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const first = await makeKey();
  let server: Server;
  const issuer: TestIssuer = {
    url: "",
    keys: [first],
    jwksFetches: 0,
    async newKey(publish = true) {
      const key = await makeKey();
      if (publish) issuer.keys.push(key);
      return key;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/oauth-authorization-server") {
      res.end(
        JSON.stringify({
          issuer: issuer.url,
          jwks_uri: `${issuer.url}/.well-known/jwks.json`,
          token_endpoint: `${issuer.url}/oauth2/token`,
          revocation_endpoint: `${issuer.url}/oauth2/revoke`,
        }),
      );
    } else if (req.url === "/.well-known/jwks.json") {
      issuer.jwksFetches += 1;
      res.end(JSON.stringify({ keys: issuer.keys.map((k) => k.publicJwk) }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return issuer;
}

export interface MintOptions {
  key: SigningKey;
  issuer: string;
  audience?: string;
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Seconds from now. */
  expiresIn?: number;
  nowSec?: number;
}

export const AUDIENCE = "gastown-worker-api";

/** Mints an RFC 9068 access token like the auth-service does; every part overridable. */
export async function mint(options: MintOptions): Promise<string> {
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    client_id: "gastown-container",
    scope: "agent",
    sid: randomBytes(16).toString("base64url"),
    agent_id: "polecat-1",
    sub: "polecat-1",
    rig_id: "rig-1",
    town_id: "town-1",
    user_id: "user-1",
    role: "polecat",
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: options.key.kid, ...options.header } as { alg: string })
    .setIssuer(options.issuer)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .setJti(randomUUID())
    .sign(options.key.privateKey);
}

/** Claims of identities used across tests. */
export const POLECAT = { agent_id: "polecat-1", sub: "polecat-1", rig_id: "rig-1", town_id: "town-1", role: "polecat", scope: "agent" };
export const MAYOR = { agent_id: "mayor", sub: "mayor", rig_id: undefined, town_id: "town-1", role: "mayor", scope: "agent mayor" };
export const REFINERY = { agent_id: "refinery-1", sub: "refinery-1", rig_id: "rig-1", town_id: "town-1", role: "refinery", scope: "agent" };
