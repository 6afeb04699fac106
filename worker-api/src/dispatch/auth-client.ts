import { AGENT_DISPATCH_GRANT_TYPE } from "@gastown/service-kit";
import type { AuthMetadataSource } from "../auth/metadata.js";
import { AuthClientError } from "../errors.js";
import { fetchJson, isObject } from "../http/fetch-json.js";
import type { AgentIdentity, TokenPair } from "./types.js";

/** DESIGN.md: the dispatch grant type (service-kit's wire constant). */
export const DISPATCH_GRANT_TYPE = AGENT_DISPATCH_GRANT_TYPE;

/**
 * The worker as a confidential dispatcher client of the auth-service: the dispatch
 * grant and revocation (RFC 7009), authenticating with client_secret_post
 * (RFC 6749 §2.3.1). The pair it obtains is handed to the container and not kept: the
 * worker revokes by session id.
 */
export class AuthClient {
  constructor(
    private readonly metadata: AuthMetadataSource,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  #form(fields: Record<string, string | undefined>): URLSearchParams {
    const form = new URLSearchParams({ client_id: this.clientId, client_secret: this.clientSecret });
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.set(name, value);
    return form;
  }

  async dispatch(identity: AgentIdentity): Promise<TokenPair> {
    const { token_endpoint } = await this.metadata.get();
    const form = this.#form({
      grant_type: DISPATCH_GRANT_TYPE,
      agent_id: identity.agent_id,
      town_id: identity.town_id,
      user_id: identity.user_id,
      role: identity.role,
      rig_id: identity.rig_id,
    });
    let answer: Awaited<ReturnType<typeof fetchJson>>;
    try {
      answer = await fetchJson(token_endpoint, { method: "POST", body: form, headers: { accept: "application/json" } });
    } catch (cause) {
      throw new AuthClientError("token endpoint unreachable", undefined, { cause });
    }
    const body = answer.body;
    if (answer.status !== 200 || !isObject(body)) {
      const error = isObject(body) && typeof body.error === "string" ? body.error : "unknown";
      throw new AuthClientError(`dispatch grant refused: ${answer.status} ${error}`, answer.status);
    }
    const { access_token, refresh_token, expires_in, session_id } = body;
    if (typeof access_token !== "string" || typeof refresh_token !== "string" || typeof expires_in !== "number" || typeof session_id !== "string") {
      throw new AuthClientError("dispatch grant answered an incomplete token response", answer.status);
    }
    return { access_token, refresh_token, expires_in, session_id };
  }

  /**
   * Revokes a whole session named by its id: RFC 7009 §2.1 with the dispatcher-only hint
   * `token_type_hint=session_id` (DESIGN.md). `superseded` is the dispatcher-only
   * extension reason; without it the auth-service records `client`.
   */
  async revoke(sessionId: string, reason?: "superseded"): Promise<void> {
    const { revocation_endpoint } = await this.metadata.get();
    const form = this.#form({ token: sessionId, token_type_hint: "session_id", revocation_reason: reason });
    let answer: Awaited<ReturnType<typeof fetchJson>>;
    try {
      answer = await fetchJson(revocation_endpoint, { method: "POST", body: form });
    } catch (cause) {
      throw new AuthClientError("revocation endpoint unreachable", undefined, { cause });
    }
    if (answer.status !== 200) throw new AuthClientError(`revocation refused: ${answer.status}`, answer.status);
  }
}
