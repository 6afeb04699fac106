import assert from "node:assert/strict";
import { CONTAINER, type Harness, type TokenBody } from "./harness.js";

/** Short grace and idle time, long access tokens: an idle session stays readable, so its expiry is observed. */
export const FLOW_POLICY = { refreshGrace: 5, refreshIdleTtl: 30, accessTokenTtl: 120 };

/** Every kind of event once; answers every token that went over the wire. */
export async function runFlows(h: Harness): Promise<{ tokens: string[]; s1: string; s6: string }> {
  const tokens: string[] = [];
  const keep = (body: TokenBody) => {
    tokens.push(body.access_token, body.refresh_token);
    return body;
  };
  const first = keep(await h.dispatch({ agent_id: "agent-1", town_id: "town-a" }));
  h.clock.advance(1);
  keep((await h.refresh(first.refresh_token).expect(200)).body);
  keep((await h.refresh(first.refresh_token).expect(200)).body); // grace replay
  h.clock.advance(h.service.policy.refreshGrace + 1);
  await h.refresh(first.refresh_token).expect(400); // reuse: the session is revoked
  const second = keep(await h.dispatch({ agent_id: "agent-2", town_id: "town-a" }));
  await h.form("/oauth2/revoke", { token: second.refresh_token, client_id: CONTAINER }).expect(200);
  const third = keep(await h.dispatch({ agent_id: "agent-3", town_id: "town-b" }));
  await h.admin("delete", `/admin/sessions/${third.session_id}`).expect(200);
  keep(await h.dispatch({ agent_id: "bulk", town_id: "town-b" }));
  keep(await h.dispatch({ agent_id: "bulk", town_id: "town-b" }));
  const bulk = await h.admin("post", "/admin/revocations").send({ agent_id: "bulk" }).expect(200);
  assert.equal(bulk.body.revoked, 2);
  const sixth = keep(await h.dispatch({ agent_id: "agent-6", town_id: "town-c" }));
  h.clock.advance(h.service.policy.refreshIdleTtl + 1);
  await h.refresh(sixth.refresh_token).expect(400); // past its idle end: expired
  return { tokens, s1: first.session_id, s6: sixth.session_id };
}

