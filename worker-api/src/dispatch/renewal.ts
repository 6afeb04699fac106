import { retryDelayMs, type TokenPolicy } from "@gastown/token-policy";
import type { Logger } from "../log.js";
import type { AuthClient } from "./auth-client.js";
import type { ContainerControlClient } from "./container-client.js";
import type { DispatchedSession, ManagedAgent, RenewalReason } from "./managed-agent.js";
import type { TokenPair } from "./types.js";

export interface RenewalDeps {
  auth: AuthClient;
  container: ContainerControlClient;
  policy: TokenPolicy;
  now: () => number;
  log: Logger;
  /** DESIGN.md "Revocation reasons": superseded sessions are revoked this long after the swap is confirmed. */
  supersededRevokeDelayMs: number;
  /** Session id -> agent key, for revocation messages. */
  sessionOwners: Map<string, string>;
  /** Called after a renewal (success or failure) so the agent's timer is re-armed. */
  rearm: (key: string, agent: ManagedAgent, retryInMs?: number) => void;
}

/** How a fresh pair reaches the agent: a token swap by default, or with a message. */
export type PushPair = (pair: TokenPair) => Promise<void>;

/**
 * Replaces an agent's session by a fresh dispatch pushed into the running agent (never a
 * restart), then revokes the old session as `superseded` once the container confirms
 * the new pair is in use, after a delay so in-flight calls with the old token succeed.
 */
export class SessionRenewer {
  readonly #deps: RenewalDeps;
  readonly #pending = new Map<NodeJS.Timeout, DispatchedSession>();

  constructor(deps: RenewalDeps) {
    this.#deps = deps;
  }

  /** Renews once; concurrent triggers for one agent share the renewal in progress. */
  renew(key: string, agent: ManagedAgent, reason: RenewalReason, push?: PushPair): Promise<void> {
    if (agent.renewing) return agent.renewing;
    const run = this.#renew(key, agent, reason, push).finally(() => {
      agent.renewing = undefined;
    });
    agent.renewing = run;
    return run;
  }

  async #renew(key: string, agent: ManagedAgent, reason: RenewalReason, push?: PushPair): Promise<void> {
    const { auth, container, log } = this.#deps;
    const agentId = agent.identity.agent_id;
    const old = agent.session;
    const dispatchedAtMs = this.#deps.now();
    let pair: TokenPair | undefined;
    try {
      pair = await auth.dispatch(agent.identity);
      this.#deps.sessionOwners.set(pair.session_id, key);
      await (push ?? ((p: TokenPair) => container.putTokens(agentId, p)))(pair);
    } catch (error) {
      agent.renewFailures += 1;
      const retryIn = retryDelayMs(agent.renewFailures, this.#deps.policy, Math.random);
      log.warn({ agent: key, reason, err: (error as Error).message, retryInMs: retryIn }, "session renewal failed");
      // A pair that never reached the agent is revoked, best effort.
      if (pair !== undefined) {
        this.#deps.sessionOwners.delete(pair.session_id);
        auth.revoke(pair.access_token, "superseded").catch(() => {});
      }
      if (agent.state === "running") this.#deps.rearm(key, agent, retryIn);
      throw error;
    }
    if (agent.state !== "running") {
      // Stopped meanwhile (a final revocation arrived during the renewal): the new session is not kept.
      log.info({ agent: key, session: pair.session_id }, "agent stopped during renewal; fresh session revoked");
      this.#deps.sessionOwners.delete(pair.session_id);
      auth.revoke(pair.access_token, "superseded").catch(() => {});
      return;
    }
    agent.session = { sessionId: pair.session_id, dispatchedAtMs, firstAccessToken: pair.access_token };
    agent.lastRefreshAtMs = dispatchedAtMs;
    agent.renewals += 1;
    agent.renewFailures = 0;
    agent.lastRenewal = { at: dispatchedAtMs, reason };
    log.info({ agent: key, reason, old_session: old.sessionId, session: pair.session_id }, "session renewed without restart");
    this.#deps.rearm(key, agent);
    if (await this.#confirmed(agentId, pair.session_id)) {
      this.#retire(old);
    } else {
      log.warn({ agent: key, session: pair.session_id }, "container did not confirm the swap; old session left to expire");
    }
  }

  /** The container confirms when its status shows the new session in use. */
  async #confirmed(agentId: string, sessionId: string): Promise<boolean> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      try {
        const status = await this.#deps.container.status(agentId);
        if (status?.session?.session_id === sessionId) return true;
      } catch {
        // retried below
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  #retire(old: DispatchedSession): void {
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      void this.#revokeSuperseded(old);
    }, this.#deps.supersededRevokeDelayMs);
    timer.unref();
    this.#pending.set(timer, old);
  }

  async #revokeSuperseded(old: DispatchedSession): Promise<void> {
    try {
      await this.#deps.auth.revoke(old.firstAccessToken, "superseded");
      this.#deps.log.info({ session: old.sessionId }, "superseded session revoked");
    } catch (error) {
      this.#deps.log.warn({ session: old.sessionId, err: (error as Error).message }, "could not revoke superseded session");
    } finally {
      this.#deps.sessionOwners.delete(old.sessionId);
    }
  }

  /** Pending superseded revocations are done now (best effort), so none is forgotten. */
  async close(): Promise<void> {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [timer] of pending) clearTimeout(timer);
    await Promise.all(pending.map(([, session]) => this.#revokeSuperseded(session)));
  }
}
