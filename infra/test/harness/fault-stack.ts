import { freePort, type RedisServer, startRedisServer } from "@gastown/testkit";
import type { AgentSpec } from "./agents.js";
import { agentPid } from "./checks.js";
import { TokenProxy } from "./proxy.js";
import { ProcessStack, type ProcessStackOptions } from "./stack.js";

export interface FaultStackOptions extends Omit<ProcessStackOptions, "redisUrl" | "authPort" | "supervisorAuthUrl"> {
  /** Route the supervisor's token requests through a TokenProxy (to watch or drop exchanges). */
  proxy?: boolean;
}

/** What a fault test works on. */
export interface FaultStack {
  /**
   * The test's own redis-server, append-only as in production (infra/redis/redis.conf):
   * `kill()` then `restart()` keeps the data, and flushing it touches nothing else.
   */
  redis: RedisServer;
  stack: ProcessStack;
  /** Stops the services, the proxy and Redis. */
  close(): Promise<void>;
}

export interface ProxiedFaultStack extends FaultStack {
  /** Between the supervisor and the auth-service's token endpoint. */
  proxy: TokenProxy;
}

/**
 * Starts a throwaway Redis and the services as processes against it (ProcessStack), with
 * the supervisor reaching the auth-service through a TokenProxy when `proxy` is set.
 */
export async function startFaultStack(options: FaultStackOptions & { proxy: true }): Promise<ProxiedFaultStack>;
export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack>;
export async function startFaultStack({ proxy: proxied, ...options }: FaultStackOptions): Promise<FaultStack | ProxiedFaultStack> {
  const redis = await startRedisServer({ appendonly: true });
  let proxy: TokenProxy | undefined;
  let stack: ProcessStack | undefined;
  const close = async () => {
    await stack?.close();
    await proxy?.close();
    await redis.kill();
  };
  try {
    if (proxied) {
      const authPort = await freePort();
      proxy = await new TokenProxy(`http://127.0.0.1:${authPort}`).start();
      stack = await ProcessStack.start({ ...options, redisUrl: redis.url, authPort, supervisorAuthUrl: proxy.url });
      return { redis, stack, proxy, close };
    }
    stack = await ProcessStack.start({ ...options, redisUrl: redis.url });
    return { redis, stack, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface DispatchedAgent {
  agentId: string;
  sessionId: string;
  /** The agent's process in the container. */
  pid: number;
}

/** Dispatches the agents through the operator API, then waits until each runs; answers them in the same order. */
export async function dispatchAgents<const A extends readonly AgentSpec[]>(stack: ProcessStack, agents: A): Promise<{ [K in keyof A]: DispatchedAgent }> {
  const sessionIds: string[] = [];
  for (const agent of agents) sessionIds.push(String((await stack.dispatch(agent)).session_id));
  const dispatched: DispatchedAgent[] = [];
  for (const [i, agent] of agents.entries()) dispatched.push({ agentId: agent.agent_id, sessionId: sessionIds[i]!, pid: await agentPid(stack, agent.agent_id) });
  return dispatched as { [K in keyof A]: DispatchedAgent };
}
