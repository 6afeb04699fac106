import { ConfigError } from "../errors.js";
import { type AgentIdentity, agentRouteUrl, mayorToolUrl, mergeCompleteUrl } from "../routes.js";
import { TokenFileReader } from "./token-file-reader.js";

export interface PluginClientOptions extends AgentIdentity {
  /** The worker-api base URL (`GASTOWN_API_URL`). */
  apiUrl: string;
  /** `GASTOWN_SESSION_TOKEN_FILE`: holds the current access token and nothing else. */
  tokenFile: string;
  fetch?: typeof globalThis.fetch;
}

/**
 * The client an agent process uses to call the worker back. It holds no token of its
 * own: before each call it takes the access token from the token file (re-read whenever
 * the supervisor replaced it), sends it as Bearer, and on a 401 re-reads the file and
 * retries once.
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

  constructor(options: PluginClientOptions) {
    this.identity = { agentId: options.agentId, townId: options.townId, rigId: options.rigId, role: options.role };
    this.#apiUrl = options.apiUrl;
    this.#reader = new TokenFileReader(options.tokenFile);
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
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

  /** POSTs `body` as JSON with the current token; on 401 re-reads the token file and retries once. */
  async post(url: string, body: unknown): Promise<Response> {
    const payload = JSON.stringify(body);
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
