import { AGENT_DISPATCH_GRANT_TYPE } from "@gastown/service-kit";
import { randomPrefix } from "@gastown/testkit";
import { type StartChildOptions, startChild } from "../children/start-child.js";
import { basicAuthorization, connectionPool, FORM_HEADERS, form, post } from "../load/http.js";
import { removeKeys } from "./oidc-target.js";
import type { RefreshTarget } from "./refresh-target.js";


/** A dispatched session's first token response. */
export interface DispatchedSession {
  agentId: string;
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

export interface AuthTarget extends RefreshTarget {
  dispatcher: { id: string; secret: string };
  /** Dispatches `count` agents (`agent-<n>`, rig `rig-1`, town `town-1`, role polecat). */
  dispatch(count: number): Promise<DispatchedSession[]>;
}

/**
 * Our auth-service in a child process on `redisUrl` under a fresh random prefix. Sessions
 * are issued through its real token endpoint: the dispatch grant with a dispatcher client
 * (client_secret_basic), one per agent.
 */
export async function startAuthTarget(redisUrl: string, options: StartChildOptions = {}): Promise<AuthTarget> {
  const prefix = randomPrefix("bench-auth");
  const child = await startChild("auth-server", { redisUrl, prefix }, options);
  const tokenPath = String(child.ready.tokenPath);
  const dispatcher = { id: String(child.ready.dispatcherId), secret: String(child.ready.dispatcherSecret) };
  const authorization = basicAuthorization(dispatcher.id, dispatcher.secret);
  let dispatched = 0;
  const dispatch = async (count: number): Promise<DispatchedSession[]> => {
    const pool = connectionPool(child.url, 1);
    try {
      const sessions: DispatchedSession[] = [];
      for (let i = 0; i < count; i++) {
        const agentId = `agent-${dispatched++}`;
        const body = form({ grant_type: AGENT_DISPATCH_GRANT_TYPE, agent_id: agentId, rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat" });
        const answer = await post(pool, tokenPath, body, { ...FORM_HEADERS, authorization });
        if (answer.status !== 200) throw new Error(`dispatch grant answered ${answer.status}: ${answer.body}`);
        const parsed = JSON.parse(answer.body) as { access_token: string; refresh_token: string; session_id: string };
        sessions.push({ agentId, accessToken: parsed.access_token, refreshToken: parsed.refresh_token, sessionId: parsed.session_id });
      }
      return sessions;
    } finally {
      await pool.close();
    }
  };
  return {
    name: "auth-service",
    child,
    prefix,
    tokenPath,
    clientId: String(child.ready.clientId),
    dispatcher,
    dispatch,
    issue: async (count) => (await dispatch(count)).map((session) => session.refreshToken),
    async stop() {
      await child.stop();
      await removeKeys(redisUrl, prefix);
    },
  };
}
