import assert from "node:assert/strict";
import type { RunningAuthService } from "@gastown/auth-service";
import { waitFor } from "@gastown/testkit";
import { type RunningWorkerApi, startWorkerApi } from "../../src/index.js";
import { bearer, heartbeatUrl, post } from "./http.js";

/** DESIGN.md invariant 4: refused by every instance within one second of the revocation's response. */
export const LIMIT_MS = 1000;

export function startWorker(auth: RunningAuthService, extra: Partial<Parameters<typeof startWorkerApi>[0]>): Promise<RunningWorkerApi> {
  return startWorkerApi({
    env: {},
    authUrl: auth.url,
    policyOverrides: { issuer: auth.policy.issuer },
    containerUrl: "http://127.0.0.1:9",
    containerControlToken: "unused",
    clientId: "worker",
    clientSecret: "unused",
    logLevel: "silent",
    ...extra,
  });
}

const url = (worker: RunningWorkerApi) => heartbeatUrl(worker.url, "town-1", "rig-1", "polecat-1");

export async function accepted(workers: RunningWorkerApi[], token: string): Promise<void> {
  for (const worker of workers) assert.equal((await post(url(worker), {}, bearer(token))).status, 202);
}

/** Milliseconds from `startedAt` until every worker refuses the token (polling every 10 ms). */
export async function refusalLatency(workers: RunningWorkerApi[], token: string, startedAt: number): Promise<number> {
  let latest = 0;
  await Promise.all(
    workers.map(async (worker) => {
      await waitFor(async () => (await post(url(worker), {}, bearer(token))).status === 401, 5000, "refusal", 10);
      latest = Math.max(latest, performance.now() - startedAt);
    }),
  );
  return latest;
}

