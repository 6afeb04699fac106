import type { Context } from "koa";
import { RecordRefusedError, RecordTooLargeError } from "../errors.js";
import type { AgentRecord, RecordKind } from "../records/types.js";
import type { RouteDeps } from "./deps.js";

/**
 * Builds the record from the verified claims (identity) and stores it; answers 202. A record
 * over `maxRecordBytes` is a 413 and an agent past its rate or quota a 429 with Retry-After
 * (RFC 6585 §4, RFC 9110 §10.2.3); neither stores anything.
 */
export async function storeRecord(ctx: Context, deps: RouteDeps, kind: RecordKind, extra: Pick<AgentRecord, "tool" | "entry_id"> = {}): Promise<void> {
  const claims = ctx.state.claims;
  const body = ctx.state.body;
  if (!claims || !body) throw new Error("storeRecord runs after authenticate and jsonObjectBody");
  const record: AgentRecord = {
    kind,
    at: deps.now(),
    agent_id: claims.agent_id,
    town_id: claims.town_id,
    ...(claims.rig_id === undefined ? {} : { rig_id: claims.rig_id }),
    session_id: claims.sid,
    ...extra,
    body,
  };
  if (kind !== "heartbeat" && Buffer.byteLength(JSON.stringify(record)) > deps.maxRecordBytes) {
    deps.metrics.recordRefused("size");
    throw new RecordTooLargeError(`a record holds at most ${deps.maxRecordBytes} bytes`);
  }
  const outcome = await deps.records.append(record);
  if (!outcome.stored) {
    deps.metrics.recordRefused(outcome.refusal);
    throw new RecordRefusedError(outcome.refusal, outcome.retryAfterMs);
  }
  ctx.status = 202;
  ctx.body = { ok: true, kind };
}
