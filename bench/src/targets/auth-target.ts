import { randomPrefix } from "@gastown/testkit";
import { type StartChildOptions, startChild } from "../children/start-child.js";
import { basicAuthorization, connectionPool, FORM_HEADERS, form, post } from "../load/http.js";
import { removeKeys } from "./oidc-target.js";
import type { RefreshTarget } from "./refresh-target.js";

export const DISPATCH_GRANT = "urn:gastown:params:oauth:grant-type:agent-dispatch";

/**
 * Our auth-service in a child process on `redisUrl` under a fresh random prefix. Sessions
 * are issued through its real token endpoint: the dispatch grant with a dispatcher client
 * (client_secret_basic), one per agent.
 */
export async function startAuthTarget(redisUrl: string, options: StartChildOptions = {}): Promise<RefreshTarget> {
  const prefix = randomPrefix("bench-auth");
  const child = await startChild("auth-server", { redisUrl, prefix }, options);
  const tokenPath = String(child.ready.tokenPath);
  const authorization = basicAuthorization(String(child.ready.dispatcherId), String(child.ready.dispatcherSecret));
  let dispatched = 0;
  return {
    name: "auth-service",
    child,
    prefix,
    tokenPath,
    clientId: String(child.ready.clientId),
    async issue(count) {
      const pool = connectionPool(child.url, 4);
      try {
        const tokens: string[] = [];
        for (let i = 0; i < count; i++) {
          const agentId = `agent-${dispatched++}`;
          const body = form({ grant_type: DISPATCH_GRANT, agent_id: agentId, rig_id: "rig-1", town_id: "town-1", user_id: "user-1", role: "polecat" });
          const answer = await post(pool, tokenPath, body, { ...FORM_HEADERS, authorization });
          if (answer.status !== 200) throw new Error(`dispatch grant answered ${answer.status}: ${answer.body}`);
          tokens.push((JSON.parse(answer.body) as { refresh_token: string }).refresh_token);
        }
        return tokens;
      } finally {
        await pool.close();
      }
    },
    async stop() {
      await child.stop();
      await removeKeys(redisUrl, prefix);
    },
  };
}
