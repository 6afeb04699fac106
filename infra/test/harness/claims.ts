import { waitFor } from "@gastown/testkit";
import { AgentStateKeys, claimOwner } from "@gastown/worker-api";
import type { Redis } from "ioredis";
import { TOWN } from "./agents.js";
import type { ServiceProcess } from "./service.js";

/** A claim on an agent as the worker-api instances keep it in Redis (worker-api/src/state/). */
export interface HeldClaim {
  agentId: string;
  claimId: string;
  /** When the test saw it (epoch ms). */
  seenAt: number;
}

/** The town's live claims: agent id -> claim id. */
export async function claims(redis: Redis, prefix: string): Promise<Record<string, string>> {
  const all = await redis.hgetall(new AgentStateKeys(prefix).claims(TOWN));
  delete all["#seq"];
  return all;
}

/** Instance ids are `<host>-<pid>-<random>`: does the claim belong to the process with this pid? */
export const heldByPid = (claimId: string, pid: number) => claimOwner(claimId).includes(`-${pid}-`);

/** Waits (polling every 5 ms) until the process with `pid` holds a claim on some agent. */
export async function waitForClaimBy(redis: Redis, prefix: string, pid: number, timeoutMs: number): Promise<HeldClaim> {
  return waitFor(
    async () => {
      const entry = Object.entries(await claims(redis, prefix)).find(([, id]) => heldByPid(id, pid));
      return entry ? { agentId: entry[0], claimId: entry[1], seenAt: Date.now() } : undefined;
    },
    timeoutMs,
    `a claim by pid ${pid}`,
    5,
  );
}

/**
 * Waits until the dead instance's claim on the agent is no longer its current one (another
 * instance claimed the agent after the lease ran out); answers when (epoch ms).
 */
export async function waitForTakeover(redis: Redis, prefix: string, dead: HeldClaim, timeoutMs: number): Promise<number> {
  const key = new AgentStateKeys(prefix).claims(TOWN);
  await waitFor(async () => (await redis.hget(key, dead.agentId)) !== dead.claimId, timeoutMs, `takeover of ${dead.agentId}`, 5);
  return Date.now();
}

/**
 * Renewals each instance made, from their logs ("session renewed without restart", field
 * `instance`), keyed `<service> pid <pid>` (a restarted service is a new instance).
 */
export function renewalsByInstance(workers: ServiceProcess[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const worker of workers) {
    for (const record of worker.logs()) {
      if (record.msg !== "session renewed without restart") continue;
      const instance = `${worker.name} pid ${String(record.instance).split("-").at(-2)}`;
      counts[instance] = (counts[instance] ?? 0) + 1;
    }
  }
  return counts;
}
