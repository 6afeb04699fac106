import { type RevocationReason, sessionRetentionLimitMs, type TokenPolicy } from "@gastown/token-policy";
import type { Logger } from "../log.js";
import type { AgentStateStore } from "../state/types.js";
import type { AuthClient } from "./auth-client.js";
import type { ContainerControlClient } from "./container-client.js";

/** What the dispatcher's parts work with (one composition in server.ts). */
export interface DispatchDeps {
  auth: AuthClient;
  container: ContainerControlClient;
  policy: TokenPolicy;
  now: () => number;
  log: Logger;
  store: AgentStateStore;
  /** This instance's id (claims, logs, `last_renewal.instance`). */
  instanceId: string;
  /** Upper bound of the wait before a superseded session is revoked (calls in flight); the policy may shorten it. */
  supersededRevokeDelayMs: number;
  /** How often every running agent's session health is checked. */
  reconcileIntervalMs: number;
  /** A claim's lease: how long a crashed instance's agents wait before another takes them. */
  claimLeaseMs: number;
  /**
   * Why a session was revoked (undefined: not known revoked, or the store lost it); may
   * throw when it cannot be told. Asked before any fresh dispatch replaces a session, so an
   * admin or client revocation whose message was missed is never undone by a renewal.
   */
  revocationReason?: (sessionId: string) => Promise<RevocationReason | undefined>;
}

/** The session index keeps a session's owner as long as anything of the session is kept (token-policy). */
export function sessionIndexUntilMs(dispatchedAtMs: number, policy: TokenPolicy): number {
  return dispatchedAtMs + sessionRetentionLimitMs(policy) + 1_000;
}
