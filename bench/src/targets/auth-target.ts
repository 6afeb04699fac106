import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AGENT_DISPATCH_GRANT_TYPE, TOKEN_PATH } from "@gastown/service-kit";
import { freePort, randomPrefix } from "@gastown/testkit";
import { DEFAULT_CONTAINER_CLIENT_ID } from "@gastown/token-policy";
import { authServiceEnv } from "../children/auth-settings.js";
import type { StartChildOptions } from "../children/start-child.js";
import { startMainChild } from "../children/start-main.js";
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

/** `node auth-service/dist/main.js`, as `npm start -w @gastown/auth-service` runs it. */
const AUTH_MAIN = fileURLToPath(new URL("./main.js", import.meta.resolve("@gastown/auth-service")));

/**
 * Our auth-service started the way a user starts it: its `main` as a child process, every
 * setting from the environment (a production-style one: signing key file, random secrets,
 * Redis under a fresh random prefix; no development default), LOG_LEVEL as the user leaves
 * it (unset: the service's default, info, one line per request) unless `logLevel`
 * (BENCH_LOG_LEVEL) says otherwise; its output goes to /dev/null. Sessions are issued through its real token
 * endpoint: the dispatch grant with a dispatcher client (client_secret_basic), one per agent.
 */
export async function startAuthTarget(redisUrl: string, options: StartChildOptions & { logLevel?: string; env?: NodeJS.ProcessEnv } = {}): Promise<AuthTarget> {
  const prefix = randomPrefix("bench-auth");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logLevel = options.logLevel;
  const { env, dispatcher, dir } = await authServiceEnv({ redisUrl, prefix, port, logLevel });
  const ready = async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200;
  // `options.env` adds or replaces settings (an undefined value removes one, e.g. REDIS_URL for REDIS_SENTINELS).
  const child = await startMainChild("auth-service", AUTH_MAIN, url, { ...env, ...options.env }, { ...options, ready });
  const authorization = basicAuthorization(dispatcher.id, dispatcher.secret);
  let dispatched = 0;
  const dispatch = async (count: number): Promise<DispatchedSession[]> => {
    const pool = connectionPool(child.url, 1);
    try {
      const sessions: DispatchedSession[] = [];
      for (let i = 0; i < count; i++) {
        const agentId = `agent-${dispatched++}`;
        const body = form({ grant_type: AGENT_DISPATCH_GRANT_TYPE, agent_id: agentId, rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat" });
        const answer = await post(pool, TOKEN_PATH, body, { ...FORM_HEADERS, authorization });
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
    tokenPath: TOKEN_PATH,
    clientId: DEFAULT_CONTAINER_CLIENT_ID,
    dispatcher,
    dispatch,
    issue: async (count) => (await dispatch(count)).map((session) => session.refreshToken),
    async stop() {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
      await removeKeys(redisUrl, prefix);
    },
  };
}
