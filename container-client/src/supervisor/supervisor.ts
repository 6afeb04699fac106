import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, listen, type ServerBounds, type TlsFiles, tokenEndpointUrl } from "@gastown/service-kit";
import { DEFAULT_CONTAINER_CLIENT_ID, loadPolicy, type PolicyOverrides } from "@gastown/token-policy";
import { ConfigError } from "../errors.js";
import { SupervisorMetrics } from "../metrics/supervisor-metrics.js";
import type { Clock } from "../session/timers.js";
import { missingIsolationCapabilities, resolveAgentUsers } from "./agent-isolation.js";
import type { UidRange } from "./agent-uids-setting.js";
import { createControlApp } from "./control-server.js";
import type { ManagedAgent } from "./managed-agent.js";
import { operationsRouter } from "./operations.js";
import { ProcessManager } from "./process-manager.js";
import { prepareStateDir } from "./state-dir.js";
import { UidPool } from "./uid-pool.js";

/** Options of `startSupervisor`; see `main.ts` for the environment variables behind them. */
export interface SupervisorOptions {
  /** Read for the policy, and for the few names agents get (`agentEnvironment`); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * `CONTAINER_AGENT_UIDS`: the uids agents run as, one per live agent, or `"off"` (the
   * supervisor's own user). Default: 100000-165535 when the supervisor may switch users
   * (root), otherwise its own user, with a warning.
   */
  agentUids?: UidRange | "off";
  /** `CONTAINER_AGENT_ENV`: names of `env` agents also get (checked by `parseAgentEnvNames`). */
  agentEnvNames?: readonly string[];
  /** Default 4200; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** CONTAINER_TLS_CERT_FILE / CONTAINER_TLS_KEY_FILE: the control server answers HTTPS; plain HTTP when absent. */
  tls?: TlsFiles;
  /** `CONTAINER_CONTROL_TOKEN`: the worker's credential. */
  controlToken: string;
  /** `GASTOWN_API_URL`: the worker-api the agents call back. */
  apiUrl: string;
  /** The auth-service base URL; the token endpoint is `authUrl` + service-kit's `TOKEN_PATH`. */
  authUrl: string;
  /** Default `gastown-container`. */
  clientId?: string;
  /** Default: `node <container-client>/dist/sample-agent.js`. */
  agentCommand?: string[];
  policyOverrides?: PolicyOverrides;
  clock?: Clock;
  logLevel?: string;
  /** Default 30000. */
  heartbeatIntervalMs?: number;
  /** Where token files live; default a fresh private temporary directory (removed on close). */
  stateDir?: string;
  /** Callbacks each agent's outbox keeps at most; default `OUTBOX_CAPACITY` (10000). */
  outboxCapacity?: number;
  /** How long `close` tries to deliver undelivered callbacks; default 5000. */
  closeFlushMs?: number;
  /** HTTP server bounds (service-kit's defaults unless given). */
  bounds?: Partial<ServerBounds>;
}

/** A running supervisor. */
export interface RunningSupervisor {
  url: string;
  /** Read-only view of the agents, for tests and diagnostics. */
  agents: ReadonlyMap<string, ManagedAgent>;
  /** The agents' uids, or `null` when they run as the supervisor's own user. */
  uids: UidPool | null;
  /** Where the agents' workspaces are. */
  stateDir: string;
  /** This instance's Prometheus metrics (also at `GET /metrics`). */
  metrics: SupervisorMetrics;
  /** Stops every agent (SIGTERM), flushes their outboxes for a bounded time, then stops the control server. */
  close(): Promise<void>;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
const DEFAULT_CLOSE_FLUSH_MS = 5_000;

/** `node <this package>/dist/sample-agent.js` (next to this file once built). */
export function defaultAgentCommand(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [process.execPath, join(here, "..", "sample-agent.js")];
}

/**
 * Starts the container runtime: the control server and the process manager that runs
 * one child process per agent, keeps its session fresh and hands it only a token file.
 *
 * @example
 * ```ts
 * const supervisor = await startSupervisor({
 *   controlToken: process.env.CONTAINER_CONTROL_TOKEN!,
 *   apiUrl: "http://127.0.0.1:4100",
 *   authUrl: "http://127.0.0.1:4000",
 *   port: 0,
 * });
 * // worker: POST `${supervisor.url}/agents/start` with Bearer <control token>
 * await supervisor.close();
 * ```
 */
export async function startSupervisor(options: SupervisorOptions): Promise<RunningSupervisor> {
  if (!options.controlToken) throw new ConfigError("a control token (CONTAINER_CONTROL_TOKEN) is required");
  const env = options.env ?? process.env;
  const log = createLogger({ name: "container-client", level: options.logLevel ?? "info" });
  const policy = loadPolicy(env, options.policyOverrides ?? {});
  const users = resolveAgentUsers(options.agentUids, false, missingIsolationCapabilities());
  const uids = users === "off" ? null : new UidPool(users, [process.getuid?.() ?? 0, process.getgid?.() ?? 0]);
  if (uids === null) {
    log.warn("AGENTS RUN AS THE SUPERVISOR'S OWN USER: an agent can read the supervisor's environment and memory and every other agent's token file. Run the supervisor as root (CONTAINER_AGENT_UIDS) for production.");
  }
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "gastown-container-"));
  prepareStateDir(stateDir, uids !== null);
  const agents = (): Iterable<ManagedAgent> => manager.agents.values();
  const metrics = new SupervisorMetrics({ agents, now: options.clock ?? Date.now });
  const manager = new ProcessManager({
    command: options.agentCommand ?? defaultAgentCommand(),
    inheritedEnv: env,
    agentEnvNames: options.agentEnvNames ?? [],
    uids: uids ?? undefined,
    apiUrl: options.apiUrl,
    stateDir,
    tokenEndpoint: tokenEndpointUrl(options.authUrl),
    clientId: options.clientId ?? DEFAULT_CONTAINER_CLIENT_ID,
    policy,
    clock: options.clock,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    log,
    metrics,
    outboxCapacity: options.outboxCapacity,
  });
  const operations = operationsRouter(metrics, { authUrl: options.authUrl, apiUrl: options.apiUrl });
  const app = createControlApp(manager, options.controlToken, log, operations);
  const http = await listen(app.callback(), { host: options.host ?? "127.0.0.1", port: options.port ?? 4200, bounds: options.bounds, tls: options.tls });
  const url = http.url;
  log.info({ url, stateDir, agentUids: uids === null ? "off" : `${uids.range.first}-${uids.range.last}` }, "container supervisor listening");
  return {
    url,
    agents: manager.agents,
    uids,
    stateDir,
    metrics,
    async close() {
      await manager.stopAll();
      const left = await manager.flushAll(options.closeFlushMs ?? DEFAULT_CLOSE_FLUSH_MS);
      if (left > 0) log.warn({ left }, "supervisor closed with undelivered callbacks");
      await http.close();
      if (ownsStateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
