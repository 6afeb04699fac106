import type { TokenEndpointError } from "../errors.js";

/** A session's health as the control server reports it; never a token. Times are Unix seconds. */
export interface SessionStatus {
  session_id: string;
  /** When the current access token expires (local receipt time + `expires_in`). */
  access_expires_at: number;
  /** Last successful refresh of this session, `null` before the first. */
  last_refresh_at: number | null;
  /** Consecutive failed refresh attempts (0 after a success or a pushed pair). */
  refresh_failures: number;
  /** True once the refresh token was refused for good; cleared by a pushed pair. */
  lost: boolean;
}

export interface RefreshedEvent {
  sessionId: string;
  /** Refreshes since the pair was received (1 for the first). */
  generation?: number;
  expiresIn: number;
  /** Epoch ms of the next scheduled refresh. */
  nextRefreshAt: number;
}

export interface RefreshFailedEvent {
  sessionId: string;
  error: unknown;
  /** 0 for the first failure in a row. */
  attempt: number;
  retryInMs: number;
}

export interface LostEvent {
  sessionId: string;
  error: TokenEndpointError;
}

/** Emitted whenever the access token changes, by a refresh or a pushed pair. */
export interface TokensEvent {
  sessionId: string;
  reason: "refresh" | "push";
}

/** The events of `AgentSession` and their payloads. */
export interface SessionEvents {
  refreshed: [RefreshedEvent];
  refresh_failed: [RefreshFailedEvent];
  lost: [LostEvent];
  tokens: [TokensEvent];
}
