import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import type { TokenPolicy } from "@gastown/token-policy";
import type { Logger } from "pino";
import { AgentStateError, SpawnError } from "../errors.js";
import type { SupervisorMetrics } from "../metrics/supervisor-metrics.js";
import type { AgentIdentity } from "../routes.js";
import { AgentSession } from "../session/agent-session.js";
import type { SessionStatus } from "../session/events.js";
import type { Clock } from "../session/timers.js";
import type { TokenPair } from "../session/token-pair.js";
import { agentEnvironment } from "./agent-env.js";
import { agentLaunch } from "./agent-launch.js";
import { readAgentOutput } from "./agent-output.js";
import type { AgentState } from "./agent-state.js";
import { AgentWorkspace } from "./agent-workspace.js";
import { reportCompletion } from "./completion.js";
import { handleAgentLine } from "./events.js";
import { startHeartbeat } from "./heartbeat.js";
import { Outbox } from "./outbox.js";
import { OutputTail } from "./output-tail.js";
import type { TokenFile } from "./token-file.js";
import type { AgentUser, UidPool } from "./uid-pool.js";
import { killEveryProcessOf } from "./uid-sweep.js";

export interface AgentSpec extends AgentIdentity {
  userId: string;
  prompt?: string | undefined;
}

/** What every agent of one supervisor shares. */
export interface AgentRuntime {
  command: readonly string[];
  /** The supervisor's environment: agents get only the allowlisted names of it (`agentEnvironment`). */
  inheritedEnv: NodeJS.ProcessEnv;
  /** `CONTAINER_AGENT_ENV`: further names agents get. */
  agentEnvNames: readonly string[];
  /** The agents' users (`CONTAINER_AGENT_UIDS`); absent: agents run as the supervisor's user. */
  uids?: UidPool | undefined;
  apiUrl: string;
  stateDir: string;
  tokenEndpoint: string;
  clientId: string;
  policy: TokenPolicy;
  clock?: Clock | undefined;
  heartbeatIntervalMs: number;
  log: Logger;
  metrics?: SupervisorMetrics | undefined;
  /** Items each agent's outbox keeps at most (default `OUTBOX_CAPACITY`). */
  outboxCapacity?: number | undefined;
}

/** `GET /agents/:agentId` (DESIGN.md "Container control server"); never a token. */
export interface AgentStatus {
  agent_id: string;
  state: AgentState;
  pid: number | null;
  session: SessionStatus;
}

/** Events of a `ManagedAgent`: `"output"` carries each line the agent prints on stdout (for launchers and diagnostics). */
export interface ManagedAgentEvents {
  output: [line: string];
}

/** How long a stopped agent gets between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 5_000;
/** How long the output pipes may stay open after the process exited (a child of it may hold them). */
const OUTPUT_DRAIN_MS = 2_000;

/**
 * One agent: a real child process, its `AgentSession` (the only holder of its refresh
 * token), its workspace (token file and `HOME`), heartbeat, stdout protocol and
 * completion report. With a `user`, the process runs as that uid and gid (no
 * supplementary groups), its files belong to it, and once the process exits every
 * process left under that uid is killed before its files go and the uid is released. Events, merge
 * callbacks and the completion report go through its `Outbox` (in order, retried until
 * the worker-api takes them); heartbeats are fire-and-forget. Every callback takes the
 * token from the session at send time; the session stays open after the process ends
 * until the outbox is drained or closed.
 */
export class ManagedAgent extends EventEmitter<ManagedAgentEvents> {
  readonly session: AgentSession;
  readonly workspace: AgentWorkspace;
  readonly tokenFile: TokenFile;
  state: AgentState = "starting";
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** Posts to the worker-api (events, merge callbacks, completion report), in order. */
  readonly outbox: Outbox;
  /** Resolves once the process ended (its completion report, if any, is queued). */
  readonly ended: Promise<void>;
  /** Resolves once the process ended and its outbox was drained (or closed by the supervisor). */
  readonly finished: Promise<void>;

  #child: ChildProcess | null = null;
  readonly #tail = new OutputTail();
  #stopRequested = false;
  #stopHeartbeat: () => void = () => {};
  #resolveEnded!: () => void;
  #resolveFinished!: () => void;
  #finishing = false;
  readonly #log: Logger;

  constructor(
    readonly spec: AgentSpec,
    tokens: TokenPair,
    readonly runtime: AgentRuntime,
    /** The user the process runs as (from `runtime.uids`, released when it ends). */
    readonly user?: AgentUser,
  ) {
    super();
    this.#log = runtime.log.child({ agentId: spec.agentId });
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    this.session = new AgentSession({ tokenEndpoint: runtime.tokenEndpoint, clientId: runtime.clientId, tokens, policy: runtime.policy, clock: runtime.clock });
    this.outbox = new Outbox({ session: this.session, policy: runtime.policy, log: this.#log, capacity: runtime.outboxCapacity, meter: runtime.metrics?.outboxMeter() });
    this.workspace = new AgentWorkspace(runtime.stateDir, user);
    this.tokenFile = this.workspace.tokenFile;
    runtime.metrics?.watch(this.session);
    this.session.on("tokens", () => {
      this.#writeTokenFile().catch((error: Error) => this.#log.error({ err: error.message }, "could not write the token file"));
    });
    this.session.on("lost", ({ sessionId, error }) => this.#log.warn({ sessionId, code: error.oauthError ?? error.code }, "session lost; waiting for a fresh pair"));
    this.session.on("refresh_failed", ({ sessionId, attempt, retryInMs }) => this.#log.info({ sessionId, attempt, retryInMs }, "refresh failed; retrying"));
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** The last lines printed on stdout (at most 1000, each cut to 4096 characters), oldest first. */
  get output(): string[] {
    return this.#tail.lines();
  }

  get live(): boolean {
    return this.state === "starting" || this.state === "running";
  }

  /**
   * Writes the token file, spawns the process and resolves once it runs (rejects with
   * `SpawnError`); on any failure nothing of the agent is left (files, uid).
   */
  async start(): Promise<void> {
    try {
      await this.#writeTokenFile();
      await this.#spawn();
    } catch (error) {
      await this.#finish(null, null, false);
      throw error instanceof SpawnError ? error : new SpawnError(`could not start the agent: ${(error as Error).message}`, { cause: error });
    }
    this.state = "running";
    this.#stopHeartbeat = startHeartbeat(this.session, this.runtime.apiUrl, this.spec, this.runtime.heartbeatIntervalMs, () => ({ pid: this.pid, state: this.state }), this.#log);
    this.#log.info({ pid: this.pid, uid: this.user?.uid, sessionId: this.session.status().session_id }, "agent started");
    if (this.spec.prompt !== undefined) this.#writeStdin({ type: "message", prompt: this.spec.prompt });
  }

  /** Swaps in a pushed pair: the session and the token file change before this returns. */
  async pushTokens(pair: TokenPair): Promise<void> {
    this.session.setTokens(pair);
    this.runtime.metrics?.tokenPushed();
    await this.#writeTokenFile();
    this.#log.info({ sessionId: pair.session_id }, "fresh token pair pushed");
  }

  /** Delivers a prompt on the agent's stdin as one JSON line, after swapping in `tokens` when given. */
  async deliver(prompt: string, tokens?: TokenPair): Promise<void> {
    if (this.state !== "running") throw new AgentStateError(`agent ${this.spec.agentId} is ${this.state}`);
    if (tokens !== undefined) await this.pushTokens(tokens);
    this.#writeStdin({ type: "message", prompt });
  }

  status(): AgentStatus {
    return { agent_id: this.spec.agentId, state: this.state, pid: this.pid, session: this.session.status() };
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone (the outbox may still be draining). */
  async stop(): Promise<void> {
    if (this.live && this.#child !== null) {
      this.#stopRequested = true;
      this.#child.kill("SIGTERM");
      const child = this.#child;
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      killer.unref();
      await this.ended;
      clearTimeout(killer);
    }
  }

  async #spawn(): Promise<void> {
    const env = agentEnvironment({ inherited: this.runtime.inheritedEnv, passNames: this.runtime.agentEnvNames, agent: this.spec, apiUrl: this.runtime.apiUrl, tokenFile: this.tokenFile.path, home: this.workspace.home });
    // libuv calls setgroups(0, NULL) before setgid/setuid: no supplementary group is kept.
    const user = this.user === undefined ? {} : { uid: this.user.uid, gid: this.user.gid };
    const launch = agentLaunch(this.runtime.command, env.PATH, this.user !== undefined);
    if (this.user !== undefined && !launch.noNewPrivs) this.#log.warn("setpriv not found: the agent runs without no_new_privs");
    const child = spawn(launch.file, launch.args, { env, stdio: ["pipe", "pipe", "pipe"], ...user });
    this.#child = child;
    child.stdin!.on("error", (error) => this.#log.warn({ err: error.message }, "agent stdin closed"));
    readAgentOutput(child, { stdout: (line, cut) => this.#onStdout(line, cut), log: this.#log, lineCut: this.runtime.metrics?.lineCut });
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    child.once("exit", (code, signal) => void this.#onExit(code, signal, closed));
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", (error) => reject(new SpawnError(`could not start the agent command: ${error.message}`, { cause: error })));
    });
  }

  /** The process is gone: kill what it left under its uid, let its output drain (bounded), then finish. */
  async #onExit(code: number | null, signal: NodeJS.Signals | null, closed: Promise<void>): Promise<void> {
    // Already finished (a failed spawn): its uid may belong to another agent by now.
    if (this.#finishing) return;
    if (this.user !== undefined && !(await killEveryProcessOf(this.user))) this.#log.error({ uid: this.user.uid }, "could not kill the processes left under the agent's uid");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTPUT_DRAIN_MS)))]);
    clearTimeout(timer);
    this.#child?.stdout?.destroy();
    this.#child?.stderr?.destroy();
    await this.#finish(code, signal);
  }

  async #writeTokenFile(): Promise<void> {
    if (this.#finishing) return;
    this.tokenFile.write(await this.session.getAccessToken());
  }

  #writeStdin(message: Record<string, unknown>): void {
    this.#child?.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  #onStdout(line: string, cut: boolean): void {
    this.#tail.push(line);
    this.emit("output", line);
    // A cut line is never a callback: its JSON is incomplete.
    if (!cut) handleAgentLine(line, this.outbox, this.runtime.apiUrl, this.spec, this.#log);
  }

  async #finish(code: number | null, signal: NodeJS.Signals | null, report = true): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    this.exit = { code, signal };
    this.state = this.#stopRequested ? "stopped" : "exited";
    this.#stopHeartbeat();
    this.#log.info({ code, signal, state: this.state }, "agent ended");
    try {
      if (report && !this.#stopRequested) reportCompletion(this.outbox, this.runtime.apiUrl, this.spec, this.exit);
    } finally {
      this.workspace.remove();
      if (this.user !== undefined) this.runtime.uids?.release(this.user);
      this.#resolveEnded();
    }
    await this.outbox.idle();
    this.session.close();
    this.#resolveFinished();
  }
}
