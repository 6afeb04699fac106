import type { Context } from "koa";
import type { AgentRecord, RecordKind, RecordStore } from "../records/types.js";

/** Builds the record from the verified claims (identity) and stores it; answers 202. */
export async function storeRecord(
  ctx: Context,
  store: RecordStore,
  now: () => number,
  kind: RecordKind,
  extra: Pick<AgentRecord, "tool" | "entry_id"> = {},
): Promise<void> {
  const claims = ctx.state.claims;
  const body = ctx.state.body;
  if (!claims || !body) throw new Error("storeRecord runs after authenticate and jsonObjectBody");
  const record: AgentRecord = {
    kind,
    at: now(),
    agent_id: claims.agent_id,
    town_id: claims.town_id,
    ...(claims.rig_id === undefined ? {} : { rig_id: claims.rig_id }),
    session_id: claims.sid,
    ...extra,
    body,
  };
  await store.append(record);
  ctx.status = 202;
  ctx.body = { ok: true, kind };
}
