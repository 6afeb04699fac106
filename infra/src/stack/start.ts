import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningAuthService, startAuthService } from "@gastown/auth-service";
import { defaultAgentCommand, type RunningSupervisor, startSupervisor } from "@gastown/container-client";
import { createRedisSubscriber, type RedisConnection } from "@gastown/service-kit";
import { freePort } from "@gastown/testkit";
import { InProcessRevocationBus, parseRevocationEvent, type RevocationEvent, revocationChannel } from "@gastown/token-policy";
import { type RunningWorkerApi, startWorkerApi } from "@gastown/worker-api";
import type { StackOptions } from "./options.js";

/** The agents `npm start` dispatches: the Mayor and one polecat. */
export const STACK_TOWN = "town-1";
export const STACK_AGENTS = [
  { agent_id: "mayor", user_id: "user-1", role: "mayor" },
  { agent_id: "polecat-1", rig_id: "rig-1", user_id: "user-1", role: "polecat" },
] as const;

export interface RunningStack {
  auth: RunningAuthService;
  worker: RunningWorkerApi;
  supervisor: RunningSupervisor;
  controlToken: string;
  /** True when CONTAINER_CONTROL_TOKEN was generated for this run. */
  generatedControlToken: boolean;
  /** Every revocation (in-process bus, or the Redis channel). Returns the unsubscribe function. */
  onRevocation(listener: (event: RevocationEvent) => void): () => void;
  /** Dispatches the stack's agents through the worker's operator API. */
  dispatchAgents(): Promise<{ agent_id: string; session_id: string }[]>;
  /** Stops agents, then the worker-api, the auth-service and Redis clients. */
  close(): Promise<void>;
}

function agentCommand(options: StackOptions): string[] {
  if (options.agent === "sample") return [...defaultAgentCommand(), "--interval-ms", String(options.intervalMs)];
  const here = dirname(fileURLToPath(import.meta.url));
  return [process.execPath, join(here, "..", "callback-agent.js"), "--interval-ms", String(options.intervalMs)];
}

/**
 * Starts the three services in this process (sharing one in-process revocation bus when
 * there is no Redis, since the in-memory store is not shared across processes).
 */
export async function startLocalStack(options: StackOptions): Promise<RunningStack> {
  const env = options.env;
  const bus = options.redis === null ? new InProcessRevocationBus() : undefined;
  const controlToken = env.CONTAINER_CONTROL_TOKEN?.trim() || randomBytes(32).toString("base64url");
  const prefix = env.REDIS_PREFIX ?? "gt:";
  const auth = await startAuthService({ env, port: options.authPort, redis: options.redis, prefix, logLevel: options.logLevel, ...(bus ? { revocationBus: bus } : {}) });
  const issuer = auth.policy.issuer;
  const workerPort = options.workerPort === 0 ? await freePort() : options.workerPort;
  const apiUrl = `http://127.0.0.1:${workerPort}`;
  let supervisor: RunningSupervisor | undefined;
  let worker: RunningWorkerApi | undefined;
  let subscriber: RedisConnection | undefined;
  try {
    supervisor = await startSupervisor({
      env,
      port: options.containerPort,
      controlToken,
      apiUrl,
      authUrl: auth.url,
      policyOverrides: { issuer },
      agentCommand: agentCommand(options),
      logLevel: options.logLevel,
    });
    const client = auth.dispatcherClients[0]!;
    worker = await startWorkerApi({
      env,
      port: workerPort,
      authUrl: auth.url,
      policyOverrides: { issuer },
      redis: options.redis,
      prefix,
      containerUrl: supervisor.url,
      containerControlToken: controlToken,
      clientId: env.WORKER_CLIENT_ID?.trim() || client.id,
      clientSecret: env.WORKER_CLIENT_SECRET?.trim() || client.secret,
      logLevel: options.logLevel,
      ...(bus ? { revocationBus: bus } : {}),
    });
  } catch (error) {
    await supervisor?.close();
    await auth.close();
    throw error;
  }

  const listeners = new Set<(event: RevocationEvent) => void>();
  const emit = (event: RevocationEvent) => {
    for (const listener of listeners) listener(event);
  };
  const unsubscribeBus = bus?.subscribe(emit);
  if (options.redis !== null) {
    const channel = revocationChannel(prefix);
    subscriber = createRedisSubscriber(options.redis, { name: `${prefix}stack-watch` });
    subscriber.on("error", () => {});
    subscriber.on("message", (received: string, raw: string) => {
      const event = received === channel ? parseRevocationEvent(raw) : undefined;
      if (event) emit(event);
    });
    await subscriber.connect();
    await subscriber.subscribe(channel);
  }

  const running = { auth, worker, supervisor };
  let closing: Promise<void> | undefined;
  return {
    ...running,
    controlToken,
    generatedControlToken: !env.CONTAINER_CONTROL_TOKEN?.trim(),
    onRevocation(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispatchAgents() {
      const started: { agent_id: string; session_id: string }[] = [];
      for (const agent of STACK_AGENTS) {
        const res = await fetch(`${running.worker.url}/operator/towns/${STACK_TOWN}/agents`, {
          method: "POST",
          headers: { authorization: `Bearer ${running.worker.operatorToken}`, "content-type": "application/json" },
          body: JSON.stringify(agent),
        });
        const body = (await res.json()) as { session_id?: string; error?: string; error_description?: string };
        if (res.status !== 201 || typeof body.session_id !== "string") {
          throw new Error(`dispatch of ${agent.agent_id} failed: ${res.status} ${body.error ?? ""} ${body.error_description ?? ""}`);
        }
        started.push({ agent_id: agent.agent_id, session_id: body.session_id });
      }
      return started;
    },
    close() {
      closing ??= (async () => {
        await running.supervisor.close();
        await running.worker.close();
        await auth.close();
        unsubscribeBus?.();
        listeners.clear();
        subscriber?.disconnect();
      })();
      return closing;
    },
  };
}
