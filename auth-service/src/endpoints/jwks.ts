import type { AuthMiddleware } from "../http/state.js";
import { publicJwks } from "../keys/signing-keys.js";

export const JWKS_PATH = "/.well-known/jwks.json";

/** RFC 7517 JWK Set: the public halves of every key still valid for verification. */
export const jwksEndpoint: AuthMiddleware = async function jwks(ctx) {
  ctx.set("Content-Type", "application/jwk-set+json");
  ctx.body = JSON.stringify(publicJwks(ctx.state.provider.signingKeys));
};
