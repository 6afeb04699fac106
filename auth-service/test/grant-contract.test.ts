import assert from "node:assert/strict";
import { test } from "node:test";
import { InProcessRevocationBus, loadPolicy } from "@gastown/token-policy";
import { InvalidGrantError, InvalidRequestError } from "../src/errors.js";
import * as agentDispatch from "../src/grants/agent_dispatch.js";
import type { GrantProvider, GrantRequest } from "../src/grants/grant.js";
import * as refreshToken from "../src/grants/refresh_token.js";
import { type AuthenticatedClient, FormParams } from "../src/http/oauth-request.js";
import { generateSigningKeys } from "../src/keys/signing-keys.js";
import { createMemoryStore } from "../src/store/index.js";
import { AccessTokenStrategy, RefreshTokenStrategy } from "../src/tokens/token-strategies.js";

const policy = loadPolicy({});
const WORKER: AuthenticatedClient = { id: "worker", kind: "dispatcher", method: "client_secret_basic" };
const CONTAINER: AuthenticatedClient = { id: "gastown-container", kind: "container", method: "none" };

async function provider(nowMs: number): Promise<GrantProvider> {
  return {
    policy,
    store: createMemoryStore({ policy, bus: new InProcessRevocationBus() }),
    clock: () => nowMs,
    accessTokens: new AccessTokenStrategy(await generateSigningKeys(), policy),
    refreshTokens: new RefreshTokenStrategy(["a-test-secret-of-at-least-32-characters!"]),
    clients: { containerClientId: CONTAINER.id },
  };
}

const params = (values: Record<string, string>) => new FormParams(new Map(Object.entries(values)));

test("FormParams.only keeps just the named parameters (what the token endpoint hands a grant)", () => {
  const all = params({ grant_type: "refresh_token", refresh_token: "gtr_x", client_id: "c", agent_id: "a", scope: "" });
  const kept = all.only(refreshToken.parameters);
  assert.equal(kept.get("refresh_token"), "gtr_x");
  for (const name of ["grant_type", "client_id", "agent_id", "scope"]) assert.equal(kept.get(name), undefined, name);
});

test("grant handlers take a request and answer a result: tokens, outcome, session and audit entry; refusals carry their OAuth error", async () => {
  const p = await provider(Date.UTC(2026, 0, 1));
  const dispatch: GrantRequest = { params: params({ agent_id: "polecat-1", town_id: "town-1", user_id: "user-1", role: "polecat" }), client: WORKER, provider: p };
  const issued = await agentDispatch.handler(dispatch);
  assert.equal(issued.kind, "tokens");
  if (issued.kind !== "tokens") return;
  assert.equal(issued.outcome, "issued");
  assert.equal(issued.sessionId, issued.response.session_id);
  assert.deepEqual(issued.audit, { event: "issued", session_id: issued.sessionId, agent_id: "polecat-1", town_id: "town-1", client_id: "worker" });

  const rotated = await refreshToken.handler({ params: params({ refresh_token: issued.response.refresh_token }), client: CONTAINER, provider: p });
  assert.equal(rotated.kind, "tokens");
  assert.equal(rotated.outcome, "rotated");
  assert.equal(rotated.sessionId, issued.sessionId);

  const missing = await refreshToken.handler({ params: params({}), client: CONTAINER, provider: p });
  assert.ok(missing.kind === "refused" && missing.error instanceof InvalidRequestError && missing.sessionId === undefined);

  // Far outside the grace window: reuse, counted as such, the session named for the log.
  const later: GrantProvider = { ...p, clock: () => Date.UTC(2026, 0, 1) + 3_600_000 };
  const reused = await refreshToken.handler({ params: params({ refresh_token: issued.response.refresh_token }), client: CONTAINER, provider: later });
  assert.ok(reused.kind === "refused" && reused.error instanceof InvalidGrantError);
  assert.equal(reused.outcome, "reuse_detected");
  assert.equal(reused.sessionId, issued.sessionId);
});
