import { isFinalRevocation, isRevocationReason, RENEWABLE_REASONS, type RevocationEvent } from "@gastown/token-policy";
import { AgentAlreadyRunningError, AgentBusyError, AgentRevokedError, UnknownAgentError } from "../errors.js";
import { isBusy } from "../state/types.js";
import { checkClaimedAgent } from "./agent-check.js";
import { type ManagedAgentView, newAgentRecord, viewOf } from "./agent-record.js";
import { ClaimLoop } from "./claim-loop.js";
import { type DispatchDeps, sessionIndexUntilMs } from "./deps.js";
import { nextDueMs } from "./due.js";
import { HeldAgent } from "./held-agent.js";
import { KnownAgents } from "./known-agents.js";
import { renewalNeeded } from "./reconcile.js";
import { renewSession, retire, revokeRetired } from "./renewal.js";
import { actOnRevocation, askContainer, stopAgent } from "./revocation-check.js";
import type { AgentIdentity } from "./types.js";

export interface DispatcherOptions extends DispatchDeps {
  /** Longest sleep between two looks at the due set. */
  claimPollMs: number;
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
 * restarting an agent for a token (DESIGN.md invariant 6, "Revocation reasons"), with
 * everything it knows in the shared state store: any instance serves any agent, and
 * every action on an agent happens under a claim, so exactly one instance acts.
 */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #loop: ClaimLoop;
  readonly #operations = new Set<Promise<unknown>>();
  readonly #known: KnownAgents;
  #closed = false;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#known = new KnownAgents(options);
    this.#loop = new ClaimLoop({
      store: options.store,
      now: options.now,
      leaseMs: options.claimLeaseMs,
      pollMs: options.claimPollMs,
      log: options.log,
      beforeLook: () => this.#known.restoreIfLost(),
      handle: async (claim) => {
        const held = new HeldAgent(options.store, claim, await options.store.read(claim.townId, claim.agentId), options.now, options.claimLeaseMs, options.log);
        await checkClaimedAgent(held, this.#o, this.#o.reconcileIntervalMs);
        this.#known.see(held.data);
      },
    });
    this.#loop.start();
  }

  get instanceId(): string {
    return this.#o.instanceId;
  }

  /**
   * Runs an operator action on one agent under a claim (waiting while another instance
   * holds it), then releases it with the agent's next due time. Drained on close.
   */
  async #withAgent<T>(townId: string, agentId: string, action: (held: HeldAgent) => Promise<T>): Promise<T> {
    const run = (async () => {
      const { store, now, claimLeaseMs } = this.#o;
      const deadline = now() + claimLeaseMs + 10_000;
      let claim = await store.claim(townId, agentId, now(), claimLeaseMs);
      while (isBusy(claim)) {
        if (now() >= deadline) throw new AgentBusyError(`agent ${agentId} is busy on another instance; try again`);
        const waitMs = Math.min(100, Math.max(10, claim.retryInMs));
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        claim = await store.claim(townId, agentId, now(), claimLeaseMs);
      }
      const held = new HeldAgent(store, claim, await store.read(townId, agentId), now, claimLeaseMs, this.#o.log);
      try {
        return await action(held);
      } finally {
        await held.release(held.data ? nextDueMs(held.data, this.#o.policy, this.#o.reconcileIntervalMs) : null);
        this.#known.see(held.data);
        this.#loop.wake();
      }
    })();
    this.#operations.add(run);
    void run.catch(() => {}).finally(() => this.#operations.delete(run));
    return run;
  }

  /** Obtains a pair with the dispatch grant and starts the agent with it in the body. */
  startAgentInContainer(identity: AgentIdentity, prompt?: string): Promise<ManagedAgentView> {
    return this.#withAgent(identity.town_id, identity.agent_id, async (held) => {
      if (held.data?.state === "running") throw new AgentAlreadyRunningError(`agent ${identity.agent_id} is already running`);
      await this.#start(held, identity, prompt);
      return viewOf(held.data!);
    });
  }

  async #start(held: HeldAgent, identity: AgentIdentity, prompt?: string): Promise<void> {
    const { auth, container, store, policy, now, log } = this.#o;
    const dispatchedAtMs = now();
    const pair = await auth.dispatch(identity);
    let pid: number | null;
    try {
      await store.indexSession(pair.session_id, identity.town_id, identity.agent_id, sessionIndexUntilMs(dispatchedAtMs, policy));
      ({ pid } = await container.start({ ...identity, ...(prompt === undefined ? {} : { prompt }), tokens: pair }));
    } catch (error) {
      auth.revoke(pair.session_id).catch(() => {});
      throw error;
    }
    const previous = held.data;
    held.data = newAgentRecord(identity, { sessionId: pair.session_id, dispatchedAtMs }, pid, now());
    if (previous) {
      // A session the agent held before (it exited, or the container lost it) is revoked now.
      held.data.retiring = previous.retiring;
      if (previous.state !== "stopped") retire(held.data, previous.session.sessionId, now());
      await revokeRetired(held.data, this.#o, held.key);
    }
    log.info({ agent: held.key, session: pair.session_id, pid, instance: this.#o.instanceId }, "agent started");
  }

  /**
   * Delivers a message to a live agent. When the container reports the session lost, or
   * the session is near its absolute (or idle) end, a fresh dispatch goes with the message.
   */
  sendMayorMessage(townId: string, agentId: string, prompt: string): Promise<MessageResult> {
    return this.#withAgent(townId, agentId, async (held) => {
      if (!held.data) throw new UnknownAgentError(`agent ${agentId} is not known to the worker`);
      if (held.pendingRevocation) await actOnRevocation(held, held.pendingRevocation.sessionId, held.pendingRevocation.reason, this.#o);
      const agent = held.data;
      const word = agent.state === "running" ? await askContainer(agentId, this.#o) : undefined;
      if (word === "unreachable") {
        // Surfaces as the container's error (502), as before.
        await this.#o.container.message(agentId, prompt);
        return { session_id: agent.session.sessionId, renewed: false, started: false };
      }
      if (!word || word.state === "stopped" || word.state === "exited") {
        // Not running in the container (it exited or the container restarted): start it with the
        // prompt, unless its session was revoked for good (only a new operator dispatch may).
        await this.#refuseIfFinallyRevoked(held);
        await this.#start(held, agent.identity, prompt);
        return { session_id: held.data.session.sessionId, renewed: false, started: true };
      }
      const reason = renewalNeeded(agent, word, this.#o.now(), this.#o.policy);
      if (reason) {
        if (word.session?.session_id === agent.session.sessionId) await this.#refuseIfFinallyRevoked(held);
        await renewSession(held, reason, this.#o, (pair) => this.#o.container.message(agentId, prompt, pair));
        return { session_id: agent.session.sessionId, renewed: true, started: false };
      }
      await this.#o.container.message(agentId, prompt);
      return { session_id: agent.session.sessionId, renewed: false, started: false };
    });
  }

  async #refuseIfFinallyRevoked(held: HeldAgent): Promise<void> {
    const agent = held.data!;
    const recorded = agent.state === "stopped" && agent.stopReason?.startsWith("revoked: ") ? agent.stopReason.slice(9) : undefined;
    const reason = isRevocationReason(recorded) ? recorded : await this.#o.revocationReason?.(agent.session.sessionId);
    if (reason === undefined || !isFinalRevocation(reason)) return;
    if (agent.state === "running") {
      agent.state = "stopped";
      agent.stopReason = `revoked: ${reason}`;
    }
    throw new AgentRevokedError(`agent ${agent.identity.agent_id} is stopped: its session was revoked (${reason}); dispatch it again to start it`);
  }

  /** Stops the agent in the container; `revoke` also ends its session (reason `client`) by its id. */
  stopAgent(townId: string, agentId: string, reason: string, revoke = false): Promise<ManagedAgentView> {
    return this.#withAgent(townId, agentId, async (held) => {
      const agent = held.data;
      if (!agent) throw new UnknownAgentError(`agent ${agentId} is not known to the worker`);
      await stopAgent(agent, reason, this.#o, held.key);
      if (revoke) await this.#o.auth.revoke(agent.session.sessionId);
      for (const retiring of agent.retiring) retiring.revokeAtMs = Math.min(retiring.revokeAtMs, this.#o.now());
      await revokeRetired(agent, this.#o, held.key);
      return viewOf(agent);
    });
  }

  /** True when the session is the current one of a running agent this instance has seen (resync reads its reason). */
  holdsSession(sessionId: string): boolean {
    return this.#known.holdsSession(sessionId);
  }

  /**
   * A revocation message (every instance hears it): renewable and final reasons are
   * recorded on the agent, which becomes due now; exactly one instance claims it and acts.
   */
  onRevocation(event: RevocationEvent): void {
    if (!RENEWABLE_REASONS.includes(event.reason) && !isFinalRevocation(event.reason)) return;
    this.#o.store.markRevoked(event.sid, event.reason, this.#o.now()).then(
      (marked) => {
        if (marked) this.#loop.wake();
      },
      (error: Error) => this.#o.log.warn({ session: event.sid, err: error.message }, "revocation not recorded (the next check reads its reason)"),
    );
  }

  /**
   * Checks every running agent this instance has seen now, as the reconcile interval
   * would (tests; the interval itself runs through the due set). Errors are logged.
   */
  async reconcile(): Promise<void> {
    for (const [townId, agentId] of this.#known.agents()) {
      await this.#withAgent(townId, agentId, (held) => checkClaimedAgent(held, this.#o, this.#o.reconcileIntervalMs, true)).catch((error: Error) =>
        this.#o.log.warn({ agent: `${townId}/${agentId}`, err: error.message }, "reconcile check failed"),
      );
    }
  }

  /** Looks at the due set now (tests step an injected clock with it). */
  wake(): void {
    this.#loop.wake();
  }

  async view(townId: string, agentId: string): Promise<ManagedAgentView | undefined> {
    const stored = await this.#o.store.read(townId, agentId);
    this.#known.see(stored?.data);
    return stored ? viewOf(stored.data) : undefined;
  }

  /** SIGTERM drain: stops claiming, finishes the agents it holds and the operator actions in flight. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#loop.close();
    while (this.#operations.size > 0) await Promise.allSettled([...this.#operations]);
  }
}
