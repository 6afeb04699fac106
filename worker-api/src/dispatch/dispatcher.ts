import { isFinalRevocation, RENEWABLE_REASONS, type RevocationEvent, type RevocationReason, retryDelayMs } from "@gastown/token-policy";
import { AgentAlreadyRunningError, AgentRevokedError, UnknownAgentError } from "../errors.js";
import { agentKey } from "../records/types.js";
import { type ManagedAgent, type ManagedAgentView, viewOf } from "./managed-agent.js";
import { checkSessionHealth, ReconcileTimer, renewalNeeded } from "./reconcile.js";
import { type RenewalDeps, SessionRenewer } from "./renewal.js";
import { absoluteRenewAtMs, idleRenewAtMs, MAX_TIMER_MS } from "./schedule.js";
import type { AgentIdentity } from "./types.js";

/** The renewer's dependencies (passed straight through), plus the dispatcher's own. */
export interface DispatcherOptions extends Omit<RenewalDeps, "sessionOwners" | "rearm"> {
  reconcileIntervalMs: number;
  /**
   * Why a session was revoked (undefined: not known revoked, or the store lost it); may
   * throw when it cannot be told. Asked before any fresh dispatch replaces a session, so an
   * admin or client revocation whose message was missed is never undone by a renewal.
   */
  revocationReason?: (sessionId: string) => Promise<RevocationReason | undefined>;
}

export interface MessageResult {
  session_id: string;
  /** True when a fresh pair went with the message (session lost or near its end). */
  renewed: boolean;
  /** True when the agent was not running in the container and was started with the prompt. */
  started: boolean;
}

/**
 * Dispatches agents into the container and keeps their sessions alive without ever
 * restarting an agent for a token (DESIGN.md invariant 6, "Revocation reasons").
 */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #agents = new Map<string, ManagedAgent>();
  readonly #sessionOwners = new Map<string, string>();
  readonly #renewer: SessionRenewer;
  readonly #reconcile: ReconcileTimer;
  #closed = false;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#renewer = new SessionRenewer({ ...options, sessionOwners: this.#sessionOwners, rearm: (key, agent, retryIn) => this.#arm(key, agent, retryIn) });
    this.#reconcile = new ReconcileTimer(options.reconcileIntervalMs, () => this.reconcile());
    this.#reconcile.start();
  }

  /** Obtains a pair with the dispatch grant and starts the agent with it in the body. */
  async startAgentInContainer(identity: AgentIdentity, prompt?: string): Promise<ManagedAgentView> {
    const key = agentKey(identity.town_id, identity.agent_id);
    const existing = this.#agents.get(key);
    if (existing?.state === "running") throw new AgentAlreadyRunningError(`agent ${identity.agent_id} is already running`);
    const dispatchedAtMs = this.#o.now();
    const pair = await this.#o.auth.dispatch(identity);
    let pid: number | null;
    try {
      ({ pid } = await this.#o.container.start({ ...identity, ...(prompt === undefined ? {} : { prompt }), tokens: pair }));
    } catch (error) {
      this.#o.auth.revoke(pair.access_token).catch(() => {});
      throw error;
    }
    if (existing) this.#forget(key, existing);
    const agent: ManagedAgent = {
      identity: { ...identity },
      state: "running",
      session: { sessionId: pair.session_id, dispatchedAtMs, firstAccessToken: pair.access_token },
      pid,
      renewals: 0,
      lastRenewal: null,
      renewFailures: 0,
      lastRefreshAtMs: dispatchedAtMs,
      timer: undefined,
      renewing: undefined,
      stopReason: null,
    };
    this.#agents.set(key, agent);
    this.#sessionOwners.set(pair.session_id, key);
    this.#arm(key, agent);
    this.#o.log.info({ agent: key, session: pair.session_id, pid }, "agent started");
    return viewOf(agent);
  }

  /**
   * Delivers a message to a live agent. When the container reports the session lost, or
   * the session is near its absolute (or idle) end, a fresh dispatch goes with the message.
   */
  async sendMayorMessage(townId: string, agentId: string, prompt: string): Promise<MessageResult> {
    const key = agentKey(townId, agentId);
    const agent = this.#agents.get(key);
    if (!agent) throw new UnknownAgentError(`agent ${agentId} was not dispatched by this worker`);
    await agent.renewing?.catch(() => {});
    const status = agent.state === "running" ? await this.#o.container.status(agentId) : undefined;
    if (!status || status.state === "stopped" || status.state === "exited") {
      // Not running in the container (it exited or the container restarted): start it with the
      // prompt, unless its session was revoked for good (only a new operator dispatch may).
      await this.#refuseIfFinallyRevoked(key, agent);
      const view = await this.startAgentInContainer(agent.identity, prompt);
      return { session_id: view.session_id, renewed: false, started: true };
    }
    const reason = renewalNeeded(agent, status, this.#o.now(), this.#o.policy);
    if (reason) {
      await this.#refuseIfFinallyRevoked(key, agent);
      await this.#renewer.renew(key, agent, reason, (pair) => this.#o.container.message(agentId, prompt, pair));
      return { session_id: agent.session.sessionId, renewed: true, started: false };
    }
    await this.#o.container.message(agentId, prompt);
    return { session_id: agent.session.sessionId, renewed: false, started: false };
  }

  /** Stops the agent in the container; `revoke` also ends its session (reason `client`). */
  async stopAgent(townId: string, agentId: string, reason: string, revoke = false): Promise<ManagedAgentView> {
    const key = agentKey(townId, agentId);
    const agent = this.#agents.get(key);
    if (!agent) throw new UnknownAgentError(`agent ${agentId} was not dispatched by this worker`);
    await this.#stop(key, agent, reason);
    if (revoke) await this.#o.auth.revoke(agent.session.firstAccessToken);
    return viewOf(agent);
  }

  async #stop(key: string, agent: ManagedAgent, reason: string): Promise<void> {
    if (agent.state !== "running") return;
    agent.state = "stopped";
    agent.stopReason = reason;
    clearTimeout(agent.timer);
    try {
      await this.#o.container.stop(agent.identity.agent_id);
    } catch (error) {
      this.#o.log.warn({ agent: key, err: (error as Error).message }, "could not stop agent in the container");
    }
    this.#o.log.info({ agent: key, reason }, "agent stopped");
  }

  /**
   * DESIGN.md "Revocation reasons": `admin` and `client` revocations are final. When the
   * agent's current session ended so, the agent is stopped (idempotent) and the answer is
   * the reason; undefined when a fresh dispatch may replace the session.
   */
  async #finalRevocation(key: string, agent: ManagedAgent): Promise<RevocationReason | undefined> {
    const sessionId = agent.session.sessionId;
    const reason = await this.#o.revocationReason?.(sessionId);
    if (!isFinalRevocation(reason) || agent.session.sessionId !== sessionId) return undefined;
    const stopReason = `revoked: ${reason}`;
    if (agent.state === "running") {
      this.#o.log.warn({ agent: key, session: sessionId, reason }, "session revoked for good (message missed?); stopping instead of renewing");
      await this.#stop(key, agent, stopReason);
    } else if (agent.stopReason === null) {
      agent.state = "stopped";
      agent.stopReason = stopReason;
    }
    return reason;
  }

  async #refuseIfFinallyRevoked(key: string, agent: ManagedAgent): Promise<void> {
    const reason = await this.#finalRevocation(key, agent);
    if (reason) throw new AgentRevokedError(`agent ${agent.identity.agent_id} is stopped: its session was revoked (${reason}); dispatch it again to start it`);
  }

  /** True when the session is the current one of an agent this worker runs (resync reads its reason). */
  holdsSession(sessionId: string): boolean {
    const key = this.#sessionOwners.get(sessionId);
    const agent = key === undefined ? undefined : this.#agents.get(key);
    return agent?.state === "running" && agent.session.sessionId === sessionId;
  }

  /**
   * Before a fresh dispatch replaces an agent's session (reconcile, renewal timer): false
   * when the session was revoked for good (the agent is stopped now), or when that cannot
   * be told yet (checked again after a retry delay).
   */
  async #mayReplaceSession(key: string, agent: ManagedAgent): Promise<boolean> {
    try {
      return (await this.#finalRevocation(key, agent)) === undefined;
    } catch (error) {
      agent.renewFailures += 1;
      this.#o.log.warn({ agent: key, session: agent.session.sessionId, err: (error as Error).message }, "revocation reason unavailable; renewal postponed");
      this.#arm(key, agent, retryDelayMs(agent.renewFailures, this.#o.policy));
      return false;
    }
  }

  /** A revocation message: renewable reasons renew at once, admin/client stop the agent. */
  onRevocation(event: RevocationEvent): void {
    const key = this.#sessionOwners.get(event.sid);
    const agent = key === undefined ? undefined : this.#agents.get(key);
    if (!key || !agent || agent.state !== "running" || agent.session.sessionId !== event.sid) return;
    if (RENEWABLE_REASONS.includes(event.reason)) {
      this.#o.log.info({ agent: key, session: event.sid, reason: event.reason }, "session revoked; renewing");
      this.#renewer.renew(key, agent, event.reason as "reuse_detected" | "expired").catch(() => {});
    } else if (event.reason === "admin" || event.reason === "client") {
      void this.#stop(key, agent, `revoked: ${event.reason}`);
    }
  }

  /** One agent's health check, renewing when needed. */
  async checkAgent(key: string): Promise<void> {
    const agent = this.#agents.get(key);
    if (!agent) return;
    if (agent.state !== "running" || agent.renewing || this.#closed) return;
    const verdict = await checkSessionHealth(agent, this.#o);
    if (agent.state !== "running" || this.#closed) return;
    if (verdict.kind === "gone") {
      agent.state = verdict.state;
      clearTimeout(agent.timer);
      return;
    }
    if ((verdict.kind === "missing" || verdict.kind === "renew") && !(await this.#mayReplaceSession(key, agent))) return;
    if (agent.state !== "running" || agent.renewing || this.#closed) return;
    if (verdict.kind === "missing") {
      await this.#redispatch(key, agent);
      return;
    }
    if (verdict.kind === "renew") {
      await this.#renewer.renew(key, agent, verdict.reason).catch(() => {});
      return;
    }
    this.#arm(key, agent);
  }

  /**
   * DESIGN.md failure semantics, "container restarts": the container no longer knows a
   * running agent (its sessions were only in its memory), so the worker dispatches a fresh
   * session and starts the agent again; the old session is revoked as superseded.
   */
  async #redispatch(key: string, agent: ManagedAgent): Promise<void> {
    this.#o.log.warn({ agent: key, session: agent.session.sessionId }, "agent unknown to the container (restarted?); dispatching a fresh session");
    const old = agent.session;
    agent.state = "exited";
    try {
      await this.startAgentInContainer(agent.identity);
    } catch (error) {
      agent.state = "running";
      agent.renewFailures += 1;
      this.#o.log.warn({ agent: key, err: (error as Error).message }, "fresh dispatch after a container restart failed; retrying");
      this.#arm(key, agent, retryDelayMs(agent.renewFailures, this.#o.policy));
      return;
    }
    this.#o.auth.revoke(old.firstAccessToken, "superseded").then(
      () => this.#o.log.info({ agent: key, session: old.sessionId }, "session lost with the container revoked"),
      (error: Error) => this.#o.log.warn({ agent: key, session: old.sessionId, err: error.message }, "could not revoke the session lost with the container"),
    );
  }

  /** The reconcile timer's tick (also callable from tests). */
  async reconcile(): Promise<void> {
    for (const key of [...this.#agents.keys()]) await this.checkAgent(key);
  }

  /** Arms the agent's timer at its next renewal point (or a retry). */
  #arm(key: string, agent: ManagedAgent, retryInMs?: number): void {
    clearTimeout(agent.timer);
    if (agent.state !== "running" || this.#closed) return;
    const due = Math.min(absoluteRenewAtMs(agent.session.dispatchedAtMs, this.#o.policy), idleRenewAtMs(agent.lastRefreshAtMs, this.#o.policy));
    const delay = retryInMs ?? Math.max(0, due - this.#o.now());
    agent.timer = setTimeout(() => void this.checkAgent(key), Math.min(delay, MAX_TIMER_MS));
    agent.timer.unref();
  }

  #forget(key: string, agent: ManagedAgent): void {
    clearTimeout(agent.timer);
    this.#agents.delete(key);
    this.#sessionOwners.delete(agent.session.sessionId);
  }

  view(townId: string, agentId: string): ManagedAgentView | undefined {
    const agent = this.#agents.get(agentKey(townId, agentId));
    return agent ? viewOf(agent) : undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#reconcile.stop();
    for (const agent of this.#agents.values()) {
      clearTimeout(agent.timer);
      await agent.renewing?.catch(() => {});
    }
    await this.#renewer.close();
  }
}

