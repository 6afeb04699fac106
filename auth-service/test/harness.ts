import type { RedisSettings } from "@gastown/service-kit";
import { DEVELOPMENT, deleteKeys, randomPrefix, testRedisUrl } from "@gastown/testkit";
import { type AccessTokenClaims, type PolicyOverrides, verifyAccessToken } from "@gastown/token-policy";
import { Redis } from "ioredis";
import { createLocalJWKSet } from "jose";
import type { DestinationStream } from "pino";
import request from "supertest";
import { type RunningAuthService, startAuthService } from "../src/index.js";

/** Every HTTP integration file runs against both stores. */
export const STORE_KINDS = ["memory", "redis"] as const;
export type StoreKindUnderTest = (typeof STORE_KINDS)[number];

export const DISPATCH = "urn:gastown:params:oauth:grant-type:agent-dispatch";
export const CONTAINER = "gastown-container";
export const WORKER_SECRET = "dev-worker-secret";
export const BASIC = `Basic ${Buffer.from(`worker:${WORKER_SECRET}`).toString("base64")}`;

/** An injected clock: starts at a whole second near real time (Redis TTLs stay sane), moves only when told. */
export class TestClock {
  now = Math.floor(Date.now() / 1000) * 1000;
  readonly fn = () => this.now;
  advance(seconds: number): void {
    this.now += Math.round(seconds * 1000);
  }
  get seconds(): number {
    return Math.floor(this.now / 1000);
  }
}

export interface Harness {
  kind: StoreKindUnderTest;
  service: RunningAuthService;
  url: string;
  clock: TestClock;
  http: ReturnType<typeof request>;
  /** Dispatch grant with client_secret_basic; answers the parsed token response (asserts 200). */
  dispatch(params?: Record<string, string>): Promise<TokenBody>;
  /** Raw refresh grant as the container client. */
  refresh(refreshToken: string, extra?: Record<string, string>): request.Test;
  /** POST form body to a path (no client authentication added). */
  form(path: string, body: string | Record<string, string>, headers?: Record<string, string>): request.Test;
  admin(method: "get" | "delete" | "post", path: string): request.Test;
  dump(): Promise<Record<string, string>>;
  verify(accessToken: string): Promise<AccessTokenClaims>;
  close(): Promise<void>;
}

export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
  session_id: string;
}

export interface HarnessOptions {
  policyOverrides?: PolicyOverrides;
  env?: NodeJS.ProcessEnv;
  logDestination?: DestinationStream;
  logLevel?: string;
  /** Redis in any mode (a throwaway cluster or Sentinel set) instead of the test Redis; kind "redis" only. Its keys are left to its owner. */
  redis?: RedisSettings;
}

export const DEFAULT_AGENT = { agent_id: "polecat-1", rig_id: "rig-a", town_id: "town-1", user_id: "user-1", role: "polecat" };

export async function startHarness(kind: StoreKindUnderTest, options: HarnessOptions = {}): Promise<Harness> {
  const clock = new TestClock();
  const redisUrl = kind === "redis" && !options.redis ? await testRedisUrl() : null;
  const prefix = randomPrefix("auth");
  const service = await startAuthService({
    env: { ...DEVELOPMENT, ...options.env },
    policyOverrides: options.policyOverrides,
    redisUrl,
    redis: kind === "redis" ? options.redis : undefined,
    prefix,
    clock: clock.fn,
    port: 0,
    logLevel: options.logLevel ?? "silent",
    logDestination: options.logDestination,
  });
  const http = request(service.url);
  const jwksResponse = await http.get("/.well-known/jwks.json").expect(200);
  const keys = createLocalJWKSet(JSON.parse(jwksResponse.text));
  const form = (path: string, body: string | Record<string, string>, headers: Record<string, string> = {}) => {
    let test = http.post(path).type("form");
    for (const [name, value] of Object.entries(headers)) test = test.set(name, value);
    return test.send(typeof body === "string" ? body : new URLSearchParams(body).toString());
  };
  return {
    kind,
    service,
    url: service.url,
    clock,
    http,
    async dispatch(params = {}) {
      const response = await form("/oauth2/token", { grant_type: DISPATCH, ...DEFAULT_AGENT, ...params }, { Authorization: BASIC });
      if (response.status !== 200) throw new Error(`dispatch failed: ${response.status} ${response.text}`);
      return response.body as TokenBody;
    },
    refresh(refreshToken, extra = {}) {
      return form("/oauth2/token", { grant_type: "refresh_token", refresh_token: refreshToken, client_id: CONTAINER, ...extra });
    },
    form,
    admin(method, path) {
      return http[method](path).set("Authorization", `Bearer ${service.adminToken}`);
    },
    // The audit trail is written asynchronously: flush it so before/after dumps compare like with like.
    async dump() {
      await service.audit.flush();
      return service.store.dump();
    },
    verify: (accessToken) => verifyAccessToken(accessToken, keys, service.policy, { currentDate: new Date(clock.now) }),
    async close() {
      await service.close();
      if (redisUrl) {
        const redis = new Redis(redisUrl);
        try {
          await deleteKeys(redis, prefix);
        } finally {
          redis.disconnect();
        }
      }
    },
  };
}
