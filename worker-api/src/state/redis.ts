import type { RedisConnection } from "@gastown/service-kit";
import { isRevocationReason, type RevocationReason } from "@gastown/token-policy";
import type { AgentRecordData } from "../dispatch/agent-record.js";
import { defineAgentStateCommands } from "./commands.js";
import { AgentStateKeys } from "./keys.js";
import type { AgentClaim, AgentStateStore, AgentWrite, ClaimBusy, StoredAgent } from "./types.js";

/**
 * The state store in Redis, shared by every worker-api instance (key layout in keys.ts,
 * the atomic steps in scripts/*.lua: claims, fenced writes, revocation marks).
 */
export class RedisAgentStateStore implements AgentStateStore {
  readonly kind = "redis";
  readonly #keys: AgentStateKeys;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly instanceId: string,
  ) {
    this.#keys = new AgentStateKeys(prefix);
    defineAgentStateCommands(redis);
  }

  async read(townId: string, agentId: string): Promise<StoredAgent | undefined> {
    const [raw, rvSid, rvReason] = await this.redis.hmget(this.#keys.agent(townId, agentId), "data", "rv_sid", "rv_reason");
    if (!raw) return undefined;
    const data = JSON.parse(raw) as AgentRecordData;
    const pending = rvSid && isRevocationReason(rvReason) && rvSid === data.session.sessionId ? { sessionId: rvSid, reason: rvReason } : null;
    return { data, pendingRevocation: pending };
  }

  async claimDue(nowMs: number, leaseMs: number, limit: number): Promise<AgentClaim[]> {
    const claims: AgentClaim[] = [];
    for (const townId of await this.redis.smembers(this.#keys.towns)) {
      if (claims.length >= limit) break;
      const flat = await this.redis.gastownClaimDue(this.#keys.due(townId), this.#keys.claims(townId), nowMs, leaseMs, this.instanceId, limit - claims.length);
      for (let i = 0; i + 1 < flat.length; i += 2) claims.push({ townId, agentId: flat[i]!, claimId: flat[i + 1]! });
    }
    return claims;
  }

  async claim(townId: string, agentId: string, nowMs: number, leaseMs: number): Promise<AgentClaim | ClaimBusy> {
    await this.redis.sadd(this.#keys.towns, townId);
    const [code, value] = await this.redis.gastownClaimOne(this.#keys.due(townId), this.#keys.claims(townId), agentId, nowMs, leaseMs, this.instanceId);
    return code === 1 ? { townId, agentId, claimId: String(value) } : { busy: true, retryInMs: Number(value) };
  }

  async write(claim: AgentClaim, write: AgentWrite): Promise<boolean> {
    const { townId, agentId } = claim;
    const data = write.data;
    const written = await this.redis.gastownWriteAgent(
      this.#keys.due(townId),
      this.#keys.claims(townId),
      this.#keys.agent(townId, agentId),
      agentId,
      claim.claimId,
      write.nowMs,
      write.mode.keep ? "keep" : "release",
      write.mode.keep ? write.mode.leaseMs : (write.mode.nextDueMs ?? ""),
      data ? JSON.stringify(data) : "",
      data?.session.sessionId ?? "",
      data?.state ?? "",
      write.handledRevocationOf ?? "",
    );
    return written === 1;
  }

  async indexSession(sessionId: string, townId: string, agentId: string, untilMs: number): Promise<void> {
    await this.redis.set(this.#keys.session(sessionId), `${townId}/${agentId}`, "PXAT", Math.max(1, Math.ceil(untilMs)));
  }

  async markRevoked(sessionId: string, reason: RevocationReason, nowMs: number): Promise<boolean> {
    const owner = await this.redis.get(this.#keys.session(sessionId));
    const slash = owner?.indexOf("/") ?? -1;
    if (!owner || slash < 0) return false;
    const townId = owner.slice(0, slash);
    const agentId = owner.slice(slash + 1);
    const marked = await this.redis.gastownMarkRevoked(this.#keys.agent(townId, agentId), this.#keys.due(townId), this.#keys.claims(townId), agentId, sessionId, reason, nowMs);
    return marked === 1;
  }

  async isEmpty(): Promise<boolean> {
    return (await this.redis.exists(this.#keys.towns)) === 0;
  }

  async restore(data: AgentRecordData, nowMs: number): Promise<boolean> {
    const { town_id: townId, agent_id: agentId } = data.identity;
    await this.redis.sadd(this.#keys.towns, townId);
    const restored = await this.redis.gastownRestoreAgent(this.#keys.agent(townId, agentId), this.#keys.due(townId), agentId, JSON.stringify(data), data.session.sessionId, data.state, nowMs);
    return restored === 1;
  }

  async nextDueMs(): Promise<number | undefined> {
    let next: number | undefined;
    for (const townId of await this.redis.smembers(this.#keys.towns)) {
      const [, score] = await this.redis.zrange(this.#keys.due(townId), "0", "0", "WITHSCORES");
      if (score !== undefined && (next === undefined || Number(score) < next)) next = Number(score);
    }
    return next;
  }

  async close(): Promise<void> {}
}
