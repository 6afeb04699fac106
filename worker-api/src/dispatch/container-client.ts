import { ContainerError } from "../errors.js";
import { fetchJson, isObject, type JsonResponse } from "../http/fetch-json.js";
import type { AgentIdentity, ContainerAgentStatus, TokenPair } from "./types.js";

export interface StartAgentRequest extends AgentIdentity {
  prompt?: string;
  tokens: TokenPair;
}

/** Times in the status are read as Unix seconds; a value that is clearly milliseconds is accepted too. */
export function statusTimeMs(value: number | null | undefined): number | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  return value > 1e11 ? value : value * 1000;
}

/**
 * Client of the container control server (DESIGN.md "Container control server"); every
 * call carries `Authorization: Bearer <CONTAINER_CONTROL_TOKEN>`.
 */
export class ContainerControlClient {
  readonly #baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly controlToken: string,
  ) {
    this.#baseUrl = baseUrl.replace(/\/+$/, "");
  }

  async #call(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.controlToken}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      return await fetchJson(`${this.#baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (cause) {
      throw new ContainerError(`container control server unreachable (${method} ${path.split("/")[1]})`, undefined, { cause });
    }
  }

  #agentPath(agentId: string, suffix = ""): string {
    return `/agents/${encodeURIComponent(agentId)}${suffix}`;
  }

  #expect2xx(answer: JsonResponse, what: string): void {
    if (answer.status < 200 || answer.status > 299) {
      const error = isObject(answer.body) && typeof answer.body.error === "string" ? ` ${answer.body.error}` : "";
      throw new ContainerError(`container refused ${what}: ${answer.status}${error}`, answer.status);
    }
  }

  /** `POST /agents/start`; answers the pid when the container reports one. */
  async start(request: StartAgentRequest): Promise<{ pid: number | null }> {
    const answer = await this.#call("POST", "/agents/start", request);
    this.#expect2xx(answer, "start");
    const pid = isObject(answer.body) && typeof answer.body.pid === "number" ? answer.body.pid : null;
    return { pid };
  }

  /** `POST /agents/:agentId/message` with a prompt and, when given, a fresh pair. */
  async message(agentId: string, prompt: string, tokens?: TokenPair): Promise<void> {
    const answer = await this.#call("POST", this.#agentPath(agentId, "/message"), tokens ? { prompt, tokens } : { prompt });
    this.#expect2xx(answer, "message");
  }

  /** `PUT /agents/:agentId/tokens`: swaps the running agent's session at once. */
  async putTokens(agentId: string, tokens: TokenPair): Promise<void> {
    const answer = await this.#call("PUT", this.#agentPath(agentId, "/tokens"), tokens);
    this.#expect2xx(answer, "token swap");
  }

  /** `GET /agents/:agentId`; undefined when the container does not know the agent (404). */
  async status(agentId: string): Promise<ContainerAgentStatus | undefined> {
    const answer = await this.#call("GET", this.#agentPath(agentId));
    if (answer.status === 404) return undefined;
    this.#expect2xx(answer, "status");
    if (!isObject(answer.body) || typeof answer.body.state !== "string") throw new ContainerError("malformed agent status", answer.status);
    const body = answer.body;
    const session = isObject(body.session) && typeof body.session.session_id === "string" ? body.session : null;
    return {
      agent_id: String(body.agent_id ?? agentId),
      state: body.state as ContainerAgentStatus["state"],
      pid: typeof body.pid === "number" ? body.pid : null,
      session: session
        ? {
            session_id: session.session_id as string,
            access_expires_at: typeof session.access_expires_at === "number" ? session.access_expires_at : null,
            last_refresh_at: typeof session.last_refresh_at === "number" ? session.last_refresh_at : null,
            refresh_failures: typeof session.refresh_failures === "number" ? session.refresh_failures : 0,
            lost: session.lost === true,
          }
        : null,
    };
  }

  /** `DELETE /agents/:agentId`; an agent the container does not know counts as stopped. */
  async stop(agentId: string): Promise<void> {
    const answer = await this.#call("DELETE", this.#agentPath(agentId));
    if (answer.status === 404) return;
    this.#expect2xx(answer, "stop");
  }
}
