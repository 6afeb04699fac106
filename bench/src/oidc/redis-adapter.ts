import type { Redis } from "ioredis";
import type { Adapter, AdapterPayload } from "oidc-provider";

/**
 * oidc-provider's adapter interface (docs/README.md#adapter, example/my_adapter.js) on
 * Redis, following the maintainer's example Redis adapter (example/adapters/redis.js):
 * consumable models are hashes (so `consume` is one HSET), the others JSON strings; the
 * tokens of a grant are listed under `grant:<id>` so `revokeByGrantId` finds them. The
 * key prefix comes from the ioredis client (`keyPrefix`).
 */
const GRANTABLE = new Set(["AccessToken", "AuthorizationCode", "RefreshToken", "DeviceCode", "BackchannelAuthenticationRequest"]);
const CONSUMABLE = new Set(["AuthorizationCode", "RefreshToken", "DeviceCode", "BackchannelAuthenticationRequest"]);

const grantKeyFor = (id: string) => `grant:${id}`;
const userCodeKeyFor = (userCode: string) => `userCode:${userCode}`;
const uidKeyFor = (uid: string) => `uid:${uid}`;

export class RedisAdapter implements Adapter {
  constructor(
    private readonly name: string,
    private readonly client: Redis,
  ) {}

  key(id: string): string {
    return `${this.name}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const key = this.key(id);
    const multi = this.client.multi();
    if (CONSUMABLE.has(this.name)) multi.hset(key, { payload: JSON.stringify(payload) });
    else multi.set(key, JSON.stringify(payload));
    if (expiresIn) multi.expire(key, expiresIn);
    if (GRANTABLE.has(this.name) && payload.grantId) {
      const grantKey = grantKeyFor(payload.grantId);
      multi.rpush(grantKey, key);
      // Grant lists live as long as their longest-lived token.
      const ttl = await this.client.ttl(grantKey);
      if (expiresIn > ttl) multi.expire(grantKey, expiresIn);
    }
    if (payload.userCode) {
      const userCodeKey = userCodeKeyFor(payload.userCode);
      multi.set(userCodeKey, id);
      multi.expire(userCodeKey, expiresIn);
    }
    if (payload.uid) {
      const uidKey = uidKeyFor(payload.uid);
      multi.set(uidKey, id);
      multi.expire(uidKey, expiresIn);
    }
    await multi.exec();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (CONSUMABLE.has(this.name)) {
      const data = await this.client.hgetall(this.key(id));
      if (!data || Object.keys(data).length === 0 || data.payload === undefined) return undefined;
      const { payload, ...rest } = data;
      return { ...rest, ...(JSON.parse(payload) as AdapterPayload) };
    }
    const data = await this.client.get(this.key(id));
    return data ? (JSON.parse(data) as AdapterPayload) : undefined;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.client.get(uidKeyFor(uid));
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.client.get(userCodeKeyFor(userCode));
    return id ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    await this.client.hset(this.key(id), "consumed", Math.floor(Date.now() / 1000));
  }

  async destroy(id: string): Promise<void> {
    await this.client.del(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grantKey = grantKeyFor(grantId);
    const tokens = await this.client.lrange(grantKey, 0, -1);
    const multi = this.client.multi();
    // The list holds keys as written (without the client's keyPrefix, which ioredis adds again).
    for (const token of tokens) multi.del(token);
    multi.del(grantKey);
    await multi.exec();
  }
}

/** The adapter factory for the provider's `adapter` setting. */
export function redisAdapterFactory(client: Redis): (name: string) => Adapter {
  return (name) => new RedisAdapter(name, client);
}
