import { isId, isRole } from "@gastown/token-policy";
import { InvalidRequestError, InvalidTokenPairError } from "../errors.js";
import { parseTokenPair, type TokenPair } from "../session/token-pair.js";
import type { AgentSpec } from "./managed-agent.js";

const MAX_PROMPT_LENGTH = 256 * 1024;

type Body = Record<string, unknown>;

function object(value: unknown, what: string): Body {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidRequestError(`${what} must be a JSON object`);
  return value as Body;
}

function onlyKeys(body: Body, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new InvalidRequestError(`unknown field ${key}`);
  }
}

function id(body: Body, name: string): string {
  const value = body[name];
  if (!isId(value)) throw new InvalidRequestError(`${name} must match [A-Za-z0-9][A-Za-z0-9._:-]{0,127}`);
  return value;
}

function prompt(value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value.length > MAX_PROMPT_LENGTH) {
    throw new InvalidRequestError(`prompt must be a string of at most ${MAX_PROMPT_LENGTH} characters`);
  }
  return value;
}

/** A token pair in a control request; its problems become 400s naming the field. */
export function tokensFrom(value: unknown): TokenPair {
  try {
    return parseTokenPair(value);
  } catch (error) {
    if (error instanceof InvalidTokenPairError) throw new InvalidRequestError(`tokens: ${error.message}`, { cause: error });
    throw error;
  }
}

/** `POST /agents/start` body: `{agent_id, rig_id?, town_id, user_id, role, prompt?, tokens}`. */
export function parseStartRequest(value: unknown): { spec: AgentSpec; tokens: TokenPair } {
  const body = object(value, "body");
  onlyKeys(body, ["agent_id", "rig_id", "town_id", "user_id", "role", "prompt", "tokens"]);
  if (!isRole(body.role)) throw new InvalidRequestError("role must be one of mayor, polecat, refinery, triage");
  const spec: AgentSpec = {
    agentId: id(body, "agent_id"),
    rigId: body.rig_id === undefined || body.rig_id === null ? undefined : id(body, "rig_id"),
    townId: id(body, "town_id"),
    userId: id(body, "user_id"),
    role: body.role,
    prompt: prompt(body.prompt, false),
  };
  if (body.tokens === undefined) throw new InvalidRequestError("tokens is required");
  return { spec, tokens: tokensFrom(body.tokens) };
}

/** `POST /agents/:agentId/message` body: `{prompt, tokens?}`. */
export function parseMessageRequest(value: unknown): { prompt: string; tokens?: TokenPair } {
  const body = object(value, "body");
  onlyKeys(body, ["prompt", "tokens"]);
  const text = prompt(body.prompt, true)!;
  return body.tokens === undefined ? { prompt: text } : { prompt: text, tokens: tokensFrom(body.tokens) };
}

/** `PUT /agents/:agentId/tokens` body: a token pair. */
export function parseTokensRequest(value: unknown): TokenPair {
  const body = object(value, "body");
  onlyKeys(body, ["access_token", "refresh_token", "expires_in", "session_id", "token_type", "scope"]);
  return tokensFrom(body);
}
