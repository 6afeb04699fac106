import type { TokenPolicy } from "@gastown/token-policy";
import type { Logger } from "pino";
import type { AuditLog } from "./audit/types.js";
import type { ClientRegistry } from "./http/oauth-request.js";
import type { SigningKeys } from "./keys/signing-keys.js";
import type { AuthMetrics } from "./metrics/auth-metrics.js";
import type { SessionStore } from "./store/types.js";
import type { AccessTokenStrategy, RefreshTokenStrategy } from "./tokens/token-strategies.js";

/** Where the sessions live: readyz reports it. */
export type StoreKind = "redis" | "memory";

/**
 * Everything the endpoints need, wired once by `createAuthApp` (the composition
 * point, like fosite's compose package): protocol code only sees these interfaces.
 */
export interface Provider {
  policy: TokenPolicy;
  store: SessionStore;
  storeKind: StoreKind;
  clock: () => number;
  logger: Logger;
  clients: ClientRegistry;
  signingKeys: SigningKeys;
  refreshTokens: RefreshTokenStrategy;
  accessTokens: AccessTokenStrategy;
  adminToken: string;
  metrics: AuthMetrics;
  audit: AuditLog;
}
