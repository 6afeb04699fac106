import { MetadataRefusedError } from "../errors.js";

/** What the worker expects of the auth-service's metadata document. */
export interface MetadataExpectations {
  /** AUTH_ISSUER (the policy's issuer): the document's `issuer` must be this very string. */
  issuer: string;
  /** Outside development (NODE_ENV=development allows http): the issuer and its endpoints must be https. */
  requireHttps: boolean;
}

/** The metadata members the worker follows: keys come from one, the dispatcher's client secret goes to the others. */
const ENDPOINTS = ["jwks_uri", "token_endpoint", "revocation_endpoint"] as const;

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a metadata document the worker must not trust (clear message, `MetadataRefusedError`):
 * - RFC 8414 §3.3: the `issuer` it returns must be identical to the issuer identifier the
 *   worker was configured with (AUTH_ISSUER), else another server's document is in play;
 * - its `jwks_uri` (and the token and revocation endpoints, which receive the dispatcher's
 *   secret) on the issuer's origin, so a document cannot send the worker to keys or a token
 *   endpoint elsewhere;
 * - https outside development: keys fetched over plain http can be swapped on the way
 *   (RFC 8414 §2 requires the https scheme for the issuer).
 */
export function checkAuthMetadata(document: Record<(typeof ENDPOINTS)[number] | "issuer", string>, expected: MetadataExpectations): void {
  if (document.issuer !== expected.issuer) {
    throw new MetadataRefusedError(`auth metadata refused: its issuer ${JSON.stringify(document.issuer)} is not AUTH_ISSUER ${JSON.stringify(expected.issuer)} (RFC 8414 §3.3)`);
  }
  const issuerOrigin = originOf(expected.issuer);
  if (expected.requireHttps && !expected.issuer.startsWith("https://")) {
    throw new MetadataRefusedError(`auth metadata refused: AUTH_ISSUER ${JSON.stringify(expected.issuer)} is not https (only NODE_ENV=development allows http)`);
  }
  for (const member of ENDPOINTS) {
    if (originOf(document[member]) !== issuerOrigin) {
      throw new MetadataRefusedError(`auth metadata refused: ${member} ${JSON.stringify(document[member])} is not on the issuer's origin ${issuerOrigin}`);
    }
  }
}
