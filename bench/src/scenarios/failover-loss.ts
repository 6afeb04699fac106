import type { Pool } from "undici";
import { FORM_HEADERS, form, type HttpAnswer, post } from "../load/http.js";

/** What one token server's refresh chains saw across a failover. */
export interface FailoverLoss {
  /** Grants answered 200 (each a rotation the client now holds). */
  acknowledged: number;
  /** Answers the client retries (5xx, no answer): the same token again 100 ms later. */
  retried: number;
  /** Chains whose token the store no longer knows (invalid_grant, no revocation): a rotation it had acknowledged was lost. */
  lost: number;
  /** Chains whose retry came back as reuse (invalid_grant, the session revoked). */
  reuseDetected: number;
  /** Longest time (ms) any chain went without a 200 (up to the end of the run when it never got one again). */
  longestGapMs: number;
  /** Every answer by status (0: none, the connection failed). */
  statuses: Record<string, number>;
}

/** The chain's token is refused for good: which way (RFC 6749 §5.2 invalid_grant, descriptions of grants/refresh_token.ts). */
function refusal(answer: HttpAnswer): "reuse" | "lost" | undefined {
  if (answer.status !== 400) return undefined;
  const body = JSON.parse(answer.body) as { error?: string; error_description?: string };
  if (body.error !== "invalid_grant") return undefined;
  return body.error_description?.includes("already used") ? "reuse" : "lost";
}

/**
 * Runs one refresh chain per token until `endsAt` (epoch ms): each rotates its session
 * again as soon as it is answered; a 5xx or a dropped connection is retried with the same
 * token after 100 ms (the supervisor's retry, compressed, well inside the 30 s grace
 * window); an invalid_grant ends the chain and says whether the session was lost or
 * revoked as reuse.
 */
export async function refreshAcrossFailover(pool: Pool, tokenPath: string, clientId: string, tokens: readonly string[], endsAt: number): Promise<FailoverLoss> {
  const loss: FailoverLoss = { acknowledged: 0, retried: 0, lost: 0, reuseDetected: 0, longestGapMs: 0, statuses: {} };
  const chain = async (first: string) => {
    let token = first;
    let lastOk = Date.now();
    while (Date.now() < endsAt) {
      const answer = await post(pool, tokenPath, form({ grant_type: "refresh_token", refresh_token: token, client_id: clientId }), FORM_HEADERS).catch((): HttpAnswer => ({ status: 0, body: "" }));
      loss.statuses[answer.status] = (loss.statuses[answer.status] ?? 0) + 1;
      if (answer.status === 200) {
        token = (JSON.parse(answer.body) as { refresh_token: string }).refresh_token;
        loss.acknowledged++;
        loss.longestGapMs = Math.max(loss.longestGapMs, Date.now() - lastOk);
        lastOk = Date.now();
        continue;
      }
      const refused = refusal(answer);
      if (refused === "lost") loss.lost++;
      if (refused === "reuse") loss.reuseDetected++;
      if (refused !== undefined) return;
      loss.retried++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    loss.longestGapMs = Math.max(loss.longestGapMs, Date.now() - lastOk);
  };
  await Promise.all(tokens.map(chain));
  return loss;
}
