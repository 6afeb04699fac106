import type { Redis } from "ioredis";
import { exportJWK, generateKeyPair } from "jose";
import { redisAdapterFactory } from "./redis-adapter.js";

/** The public client that holds the refresh chains (like our `gastown-container`). */
export const OIDC_CLIENT_ID = "bench-container";
/** Resource indicator (RFC 8707) of the API; JWT access tokens are minted for it. */
export const OIDC_RESOURCE = "urn:gastown:worker-api";
export const OIDC_SCOPE = "agent";

export interface ProviderSettings {
  redis: Redis;
  audience: string;
  /** Access token lifetime, seconds (ours: policy.accessTokenTtl). */
  accessTokenTtl: number;
  /** Refresh token lifetime, seconds (ours: the idle timeout). */
  refreshTokenTtl: number;
  /** Grant lifetime, seconds (ours: the session's absolute lifetime). */
  grantTtl: number;
}

/**
 * oidc-provider configured as close to the auth-service as it allows: refresh token
 * rotation on every grant, 1 h JWT access tokens (RFC 9068) signed ES256 for one resource
 * server, the same custom claims, a Redis adapter, a public client.
 */
export async function providerConfiguration(settings: ProviderSettings): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "bench-es256", alg: "ES256", use: "sig" };
  return {
    adapter: redisAdapterFactory(settings.redis),
    clients: [{ client_id: OIDC_CLIENT_ID, token_endpoint_auth_method: "none", grant_types: ["refresh_token"], response_types: [], redirect_uris: [] }],
    jwks: { keys: [jwk] },
    clientDefaults: { id_token_signed_response_alg: "ES256" },
    rotateRefreshToken: true,
    ttl: { AccessToken: settings.accessTokenTtl, RefreshToken: settings.refreshTokenTtl, Grant: settings.grantTtl },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    // The same claims our access tokens carry besides the registered ones.
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => ({
      agent_id: token.accountId,
      rig_id: "rig-1",
      town_id: "town-1",
      user_id: "user-1",
      role: "polecat",
      sid: token.accountId,
    }),
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => OIDC_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: OIDC_SCOPE,
          audience: settings.audience,
          accessTokenTTL: settings.accessTokenTtl,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "ES256" } },
        }),
      },
    },
  };
}
