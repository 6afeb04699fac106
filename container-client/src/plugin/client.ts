import { ConfigError } from "../errors.js";
import { type AgentIdentity, agentRouteUrl, mayorToolUrl, mergeCompleteUrl } from "../routes.js";
import { TokenFileReader } from "./token-file-reader.js";

export interface PluginClientOptions extends AgentIdentity {
  /** The worker-api base URL (`GASTOWN_API_URL`). */
  apiUrl: string;
  /** `GASTOWN_SESSION_TOKEN_FILE`: holds the current access token and nothing else. */
  tokenFile: string;
  fetch?: typeof globalThis.fetch;
  /** How a `Retry-After` wait is spent (tests pass a recorder); default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** At most this many retries of one call that the worker answered 503 or 429 with `Retry-After`. */
export const MAX_RETRY_AFTER_RETRIES = 2;
/** A longer `Retry-After` (a 429 until the end of the quota's hour) is handed to the agent instead. */
export const MAX_RETRY_AFTER_SECONDS = 10;

/**
 * The wait a 503 or 429 asks for, in ms, when it is one the client should honour: a
 * `Retry-After` of delta-seconds (RFC 9110 §10.2.3) up to `MAX_RETRY_AFTER_SECONDS`. The
 * worker sends it when it refused before doing anything (revocations unconfirmed, Redis
 * failing over, rate limit), so the same call may be sent again.
 */
function retryAfterMs(response: Response): number | undefined {
  if (response.status !== 503 && response.status !== 429) return undefined;
  const header = response.headers.get("retry-after")?.trim();
  if (header === undefined || !/^\d{1,5}$/.test(header)) return undefined;
  const seconds = Number(header);
  return seconds <= MAX_RETRY_AFTER_SECONDS ? seconds * 1000 : undefined;
}

/**
 * The client an agent process uses to call the worker back. It holds no token of its
 * own: before each call it takes the access token from the token file (re-read whenever
 * the supervisor replaced it), sends it as Bearer, and on a 401 re-reads the file and
 * retries once. A 503 or 429 with a short `Retry-After` (a Redis failover, the rate limit)
 * is waited out and sent again, at most twice; anything else is the agent's answer.
 *
 * @example
 * ```ts
 * const client = PluginClient.fromEnv(process.env);
 * const res = await client.toolCall("list_rigs", {});
 * ```
 */
export class PluginClient {
  readonly identity: AgentIdentity;
  readonly #apiUrl: string;
  readonly #reader: TokenFileReader;
  readonly #fetch: typeof globalThis.fetch;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: PluginClientOptions) {
    this.identity = { agentId: options.agentId, townId: options.townId, rigId: options.rigId, role: options.role };
    this.#apiUrl = options.apiUrl;
    this.#reader = new TokenFileReader(options.tokenFile);
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Builds a client from the agent's environment (`GASTOWN_API_URL`,
   * `GASTOWN_SESSION_TOKEN_FILE`, `GASTOWN_AGENT_ID`, `GASTOWN_TOWN_ID`, `GASTOWN_ROLE`,
   * optional `GASTOWN_RIG_ID`). Throws `ConfigError` naming a missing variable.
   *
   * @example
   * ```ts
   * const client = PluginClient.fromEnv();
   * ```
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): PluginClient {
    const need = (name: string): string => {
      const value = env[name];
      if (value === undefined || value === "") throw new ConfigError(`${name} is not set`);
      return value;
    };
    return new PluginClient({
      apiUrl: need("GASTOWN_API_URL"),
      tokenFile: need("GASTOWN_SESSION_TOKEN_FILE"),
      agentId: need("GASTOWN_AGENT_ID"),
      townId: need("GASTOWN_TOWN_ID"),
      rigId: env.GASTOWN_RIG_ID || undefined,
      role: need("GASTOWN_ROLE"),
    });
  }

  /**
   * POSTs `body` as JSON with the current token; on 401 re-reads the token file and
   * retries once; a 503 or 429 with a short `Retry-After` is retried after that wait.
   */
  async post(url: string, body: unknown): Promise<Response> {
    const payload = JSON.stringify(body);
    for (let retries = 0; ; retries++) {
      const response = await this.#sendWithFreshToken(url, payload);
      const wait = retries < MAX_RETRY_AFTER_RETRIES ? retryAfterMs(response) : undefined;
      if (wait === undefined) return response;
      await response.body?.cancel();
      await this.#sleep(wait);
    }
  }

  async #sendWithFreshToken(url: string, payload: string): Promise<Response> {
    const first = await this.#send(url, payload, this.#reader.current());
    if (first.status !== 401) return first;
    await first.body?.cancel();
    return this.#send(url, payload, this.#reader.current());
  }

  heartbeat(body: Record<string, unknown> = {}): Promise<Response> {
    return this.post(agentRouteUrl(this.#apiUrl, this.identity, "heartbeat"), body);
  }

  event(body: Record<string, unknown>): Promise<Response> {
    return this.post(agentRouteUrl(this.#apiUrl, this.identity, "events"), body);
  }

  completed(body: Record<string, unknown>): Promise<Response> {
    return this.post(agentRouteUrl(this.#apiUrl, this.identity, "completed"), body);
  }

  /** Rig agents only. */
  done(body: Record<string, unknown>): Promise<Response> {
    return this.post(agentRouteUrl(this.#apiUrl, this.identity, "done"), body);
  }

  /** A mayor tool call (`[a-z_]{1,64}`); needs the `mayor` scope. */
  toolCall(tool: string, args: Record<string, unknown>): Promise<Response> {
    return this.post(mayorToolUrl(this.#apiUrl, this.identity.townId, tool), args);
  }

  /** The merge callback for a review-queue entry of this agent's rig. */
  mergeComplete(entryId: string, body: Record<string, unknown>): Promise<Response> {
    if (this.identity.rigId === undefined) throw new ConfigError("merge callbacks need GASTOWN_RIG_ID");
    return this.post(mergeCompleteUrl(this.#apiUrl, this.identity.townId, this.identity.rigId, entryId), body);
  }

  #send(url: string, body: string, token: string): Promise<Response> {
    return this.#fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });
  }
}
