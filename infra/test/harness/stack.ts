import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, makeTestCertificates, randomPrefix, randomUidRange, type TestCertificates } from "@gastown/testkit";
import { type AgentSpec, makeRecordDir, TOWN } from "./agents.js";
import { type JsonAnswer, requestJson } from "./http-json.js";
import { makeSecrets, type StackSecrets } from "./keys.js";
import { RoundRobinProxy } from "./round-robin.js";
import { answers, ServiceProcess } from "./service.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const HARNESS = fileURLToPath(new URL("./", import.meta.url));
export const CALLBACK_AGENT = join(ROOT, "infra/dist/callback-agent.js");

/** Whole seconds, as the GASTOWN_* settings take them. */
export interface Lifetimes {
  accessTokenTtl: number;
  refreshIdleTtl: number;
  sessionMaxTtl: number;
  refreshGrace: number;
  clockTolerance: number;
}

/** Where one service runs. */
export interface ServicePlacement {
  /** Its *_HOST (where it binds) and the address the other services reach it at. */
  host: string;
  port: number;
  /** Prefix of its command line, e.g. `ip netns exec <ns>` (default none: this host). */
  launcher?: readonly string[];
  /** Where the test itself reaches it (a relay into its network); default `http://host:port`. */
  testUrl?: string;
}

export interface StackPlacement {
  auth: ServicePlacement;
  worker: ServicePlacement;
  container: ServicePlacement;
}

export interface ProcessStackOptions {
  redisUrl: string;
  lifetimes: Lifetimes;
  /** Pause between two callbacks of one agent (default 200 ms). */
  agentIntervalMs?: number;
  /** Pre-chosen auth-service port (when a proxy must know it first). */
  authPort?: number;
  /** Where the supervisor reaches the token endpoint (a proxy); default the auth-service. */
  supervisorAuthUrl?: string;
  /** Clock offsets (ms) of the supervisor and the worker-api (run through test entries). */
  supervisorClockOffsetMs?: number;
  workerClockOffsetMs?: number;
  /** worker-api instances (default 1); with more than one, a RoundRobinProxy fronts them. */
  workers?: number;
  /** Put the RoundRobinProxy in front even of one instance (restarts without refused calls). */
  workerProxy?: boolean;
  /** Extra worker-api settings (WORKER_CLAIM_LEASE_MS, ...). */
  workerEnv?: NodeJS.ProcessEnv;
  /** Each service's host, port and launcher (one worker-api, no proxy); default loopback, free ports. */
  placement?: StackPlacement;
  /**
   * Production as deployed: the auth-service answers HTTPS with a throwaway CA's certificate
   * (AUTH_TLS_*), the worker-api and the supervisor trust that CA (NODE_EXTRA_CA_CERTS), and
   * the worker-api runs with NODE_ENV unset. Default: plain http, worker in development.
   */
  tls?: boolean;
}

interface Places {
  auth: ServicePlacement;
  workers: ServicePlacement[];
  proxy: number | undefined;
  container: ServicePlacement;
}

const loopback = (port: number): ServicePlacement => ({ host: "127.0.0.1", port });
/** Where the other services reach it. */
const serviceUrl = (p: ServicePlacement) => `http://${p.host}:${p.port}`;
const testUrl = (p: ServicePlacement) => p.testUrl ?? serviceUrl(p);
const command = (p: ServicePlacement) => [...(p.launcher ?? []), process.execPath];

type Json = Record<string, unknown>;

function agentUids(): string {
  const { first, last } = randomUidRange();
  return `${first}-${last}`;
}

/**
 * The real services as separate processes (auth-service, worker-api, container
 * supervisor with the callback agent), on free loopback ports (or where `placement`
 * says), against the test's own Redis, with short lifetimes and NODE_ENV unset; plus
 * the operator, admin and control calls the tests make.
 */
export class ProcessStack {
  readonly auth: ServiceProcess;
  /** The worker-api instances; `worker` is the first. */
  readonly workers: ServiceProcess[];
  readonly workerUrls: string[];
  /** In front of the instances when there are several (or `workerProxy`). */
  readonly workerProxy: RoundRobinProxy | undefined;
  readonly supervisor: ServiceProcess;
  readonly authUrl: string;
  /** With `tls`: the CA the auth-service's certificate comes from (the test's own calls trust it). */
  readonly authCa: Buffer | undefined;
  readonly #certs: TestCertificates | undefined;
  /** Where the operator calls reach the worker-api: the proxy, else the one instance. */
  readonly workerUrl: string;
  readonly containerUrl: string;
  readonly recordDir: string;
  readonly secrets: StackSecrets;
  /** REDIS_PREFIX of every service. */
  readonly prefix = randomPrefix("infra");
  readonly #dir: string;

  private constructor(options: ProcessStackOptions, places: Places) {
    this.#dir = mkdtempSync(join(tmpdir(), "gt-infra-stack-"));
    // The agents (their own uids) pass through to the record directory, and see nothing else here.
    chmodSync(this.#dir, 0o711);
    this.recordDir = makeRecordDir(join(this.#dir, "calls"));
    this.secrets = makeSecrets(this.#dir);
    this.#certs = options.tls ? makeTestCertificates([...new Set([places.auth.host, "127.0.0.1"])]) : undefined;
    this.authCa = this.#certs && readFileSync(this.#certs.caFile);
    const scheme = this.#certs ? "https:" : "http:";
    this.authUrl = testUrl(places.auth).replace(/^http:/, scheme);
    this.workerUrls = places.workers.map(testUrl);
    this.workerProxy = places.proxy === undefined ? undefined : new RoundRobinProxy(places.proxy, this.workerUrls);
    this.workerUrl = places.proxy === undefined ? this.workerUrls[0]! : `http://127.0.0.1:${places.proxy}`;
    this.containerUrl = testUrl(places.container);
    const authAt = serviceUrl(places.auth).replace(/^http:/, scheme);
    const trustAuth = this.#certs ? { NODE_EXTRA_CA_CERTS: this.#certs.caFile } : {};
    const workerAt = places.proxy === undefined ? serviceUrl(places.workers[0]!) : this.workerUrl;
    const s = this.secrets;
    const l = options.lifetimes;
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: this.prefix,
      GASTOWN_ACCESS_TOKEN_TTL: String(l.accessTokenTtl),
      GASTOWN_REFRESH_IDLE_TTL: String(l.refreshIdleTtl),
      GASTOWN_SESSION_MAX_TTL: String(l.sessionMaxTtl),
      GASTOWN_REFRESH_GRACE: String(l.refreshGrace),
      GASTOWN_CLOCK_TOLERANCE: String(l.clockTolerance),
      AUTH_ISSUER: authAt,
    };
    const auth = { ...base, AUTH_HOST: places.auth.host, AUTH_PORT: String(places.auth.port), AUTH_TOKEN_SECRET: s.tokenSecret, AUTH_ADMIN_TOKEN: s.adminToken, AUTH_DISPATCHER_CLIENTS: `${s.workerClientId}:${s.workerClientSecret}`, AUTH_SIGNING_KEYS_FILE: s.signingKeysFile };
    if (this.#certs) Object.assign(auth, { AUTH_TLS_CERT_FILE: this.#certs.certFile, AUTH_TLS_KEY_FILE: this.#certs.keyFile });
    const worker = {
      ...base,
      ...options.workerEnv,
      WORKER_CLIENT_ID: s.workerClientId,
      WORKER_CLIENT_SECRET: s.workerClientSecret,
      WORKER_OPERATOR_TOKEN: s.operatorToken,
      CONTAINER_CONTROL_TOKEN: s.controlToken,
      CONTAINER_URL: serviceUrl(places.container),
      // A plain-http issuer: only NODE_ENV=development lets the worker use its metadata.
      ...(this.#certs ? trustAuth : { NODE_ENV: "development" }),
      TEST_CLOCK_OFFSET_MS: String(options.workerClockOffsetMs ?? 0),
    };
    const agentCommand = [process.execPath, CALLBACK_AGENT, "--interval-ms", String(options.agentIntervalMs ?? 200), "--record-dir", this.recordDir].join(" ");
    // The supervisor has no Redis access (README "Each service on its own host"): no Redis setting.
    const { REDIS_URL: _url, REDIS_PREFIX: _prefix, ...supervisorBase } = base;
    const container = {
      ...supervisorBase,
      AUTH_ISSUER: options.supervisorAuthUrl ?? authAt,
      CONTAINER_HOST: places.container.host,
      CONTAINER_PORT: String(places.container.port),
      CONTAINER_CONTROL_TOKEN: s.controlToken,
      GASTOWN_API_URL: workerAt,
      AGENT_COMMAND: agentCommand,
      // A uid range of this stack's own: another test's supervisor sweeping its uids never kills these agents.
      CONTAINER_AGENT_UIDS: agentUids(),
      ...trustAuth,
      TEST_CLOCK_OFFSET_MS: String(options.supervisorClockOffsetMs ?? 0),
    };
    const entry = (pkg: string, skewed: string, offset: number | undefined) =>
      offset === undefined ? [join(ROOT, pkg, "dist/main.js")] : ["--import", "tsx", join(HARNESS, skewed)];
    const authReady = async () => (await requestJson(`${this.authUrl}/healthz`, { ca: this.authCa, timeoutMs: 1_000 }).catch(() => undefined))?.status === 200;
    this.auth = new ServiceProcess("auth-service", [join(ROOT, "auth-service/dist/main.js")], auth, authReady, command(places.auth));
    this.workers = places.workers.map((place, i) => {
      const url = this.workerUrls[i]!;
      const env = { ...worker, WORKER_HOST: place.host, WORKER_PORT: String(place.port) };
      return new ServiceProcess(`worker-api-${i}`, entry("worker-api", "skewed-worker.ts", options.workerClockOffsetMs), env, () => answers(`${url}/healthz`, {}, 200), command(place));
    });
    this.supervisor = new ServiceProcess(
      "supervisor",
      entry("container-client", "skewed-supervisor.ts", options.supervisorClockOffsetMs),
      container,
      () => answers(`${this.containerUrl}/agents/none`, { headers: { authorization: `Bearer ${s.controlToken}` } }, 404),
      command(places.container),
    );
  }

  static async start(options: ProcessStackOptions): Promise<ProcessStack> {
    const stack = new ProcessStack(options, await ProcessStack.#places(options));
    try {
      await stack.workerProxy?.start();
      await Promise.all([stack.auth.start(), ...stack.workers.map((w) => w.start()), stack.supervisor.start()]);
    } catch (error) {
      await stack.close();
      throw error;
    }
    return stack;
  }

  static async #places(options: ProcessStackOptions): Promise<Places> {
    const { placement } = options;
    if (placement !== undefined) {
      if ((options.workers ?? 1) !== 1 || options.workerProxy || options.authPort !== undefined) throw new Error("placement takes one worker-api, no proxy and no authPort");
      return { auth: placement.auth, workers: [placement.worker], proxy: undefined, container: placement.container };
    }
    const workers: ServicePlacement[] = [];
    for (let i = 0; i < (options.workers ?? 1); i += 1) workers.push(loopback(await freePort()));
    const proxied = workers.length > 1 || options.workerProxy === true;
    return { auth: loopback(options.authPort ?? (await freePort())), workers, proxy: proxied ? await freePort() : undefined, container: loopback(await freePort()) };
  }

  async close(): Promise<void> {
    await this.supervisor.stop();
    await Promise.all([...this.workers.map((w) => w.stop()), this.auth.stop()]);
    await this.workerProxy?.close();
    rmSync(this.#dir, { recursive: true, force: true });
    if (this.#certs) rmSync(this.#certs.dir, { recursive: true, force: true });
  }

  #json(url: string, init: { method?: string; token: string; json?: unknown }): Promise<JsonAnswer> {
    return requestJson(url, { method: init.method, headers: { authorization: `Bearer ${init.token}` }, json: init.json, ca: this.authCa });
  }

  /** Operator API: dispatches an agent; answers the worker's view (201). */
  async dispatch(agent: AgentSpec): Promise<Json> {
    const res = await this.#json(`${this.workerUrl}/operator/towns/${TOWN}/agents`, { method: "POST", token: this.secrets.operatorToken, json: agent });
    if (res.status !== 201) throw new Error(`dispatch ${agent.agent_id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  get worker(): ServiceProcess {
    return this.workers[0]!;
  }

  /** Operator API: what the worker knows of an agent (state, session, renewals, counts), at `at` (default `workerUrl`). */
  async view(agentId: string, at = this.workerUrl): Promise<Json> {
    return (await this.#json(`${at}/operator/towns/${TOWN}/agents/${agentId}`, { token: this.secrets.operatorToken })).body;
  }

  /** Operator API: delivers a message (the Mayor's path) through `at`; answers status and body. */
  async message(agentId: string, prompt: string, at = this.workerUrl): Promise<{ status: number; body: Json }> {
    return this.#json(`${at}/operator/towns/${TOWN}/agents/${agentId}/messages`, { method: "POST", token: this.secrets.operatorToken, json: { prompt } });
  }

  /** Operator API: counts of what the agent posted. */
  async storedCounts(agentId: string): Promise<Record<string, number>> {
    const res = await this.#json(`${this.workerUrl}/operator/towns/${TOWN}/agents/${agentId}/records`, { token: this.secrets.operatorToken });
    return res.body.counts as Record<string, number>;
  }

  /** Container control server: the agent's status (pid, state, session health). */
  async container(agentId: string): Promise<{ status: number; body: Json }> {
    return this.#json(`${this.containerUrl}/agents/${agentId}`, { token: this.secrets.controlToken });
  }

  /** Container control server: stops the agent (it finishes its call in flight first). */
  async stopAgent(agentId: string): Promise<void> {
    await this.#json(`${this.containerUrl}/agents/${agentId}`, { method: "DELETE", token: this.secrets.controlToken });
  }

  /** Admin API: every session of an agent. */
  async sessions(agentId: string): Promise<Json[]> {
    const res = await this.#json(`${this.authUrl}/admin/sessions?agent_id=${agentId}&limit=1000`, { token: this.secrets.adminToken });
    if (res.status !== 200) throw new Error(`admin sessions: ${res.status}`);
    return res.body.sessions as Json[];
  }

  /** Admin API: revokes one session (`DELETE /admin/sessions/:id`); answers status and body. */
  revokeSession(sessionId: string): Promise<JsonAnswer> {
    return this.#json(`${this.authUrl}/admin/sessions/${sessionId}`, { method: "DELETE", token: this.secrets.adminToken });
  }

  /** Admin API: one session (404 answers undefined). */
  async session(sessionId: string): Promise<Json | undefined> {
    const res = await this.#json(`${this.authUrl}/admin/sessions/${sessionId}`, { token: this.secrets.adminToken });
    return res.status === 200 ? res.body : undefined;
  }

  /** Supervisor log lines (of `lines`, default all) saying a callback of its own (heartbeat, event, completion) failed. */
  supervisorCallbackFailures(lines: readonly string[] = this.supervisor.lines): string[] {
    return lines.filter((line) => /refused a callback|callback to worker-api failed/.test(line));
  }
}
