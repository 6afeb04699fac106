import type { Command } from "commander";
import type { AuditEntry } from "../audit/types.js";
import { admin } from "./admin-client.js";
import { CliError, EXIT } from "./errors.js";
import { countArgument, globals, idArgument } from "./options.js";
import { isoTime, printJson, printTable } from "./output.js";

interface AuditOptions {
  session?: string;
  agent?: string;
  town?: string;
  limit?: number;
}

/** `gastown-auth audit`: GET /admin/audit, newest first. */
export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description("read the audit trail (issuance, rotation, grace replay, reuse, revocation, expiry), newest first")
    .option("--session <session-id>", "one session's entries")
    .option("--agent <id>", "one agent's entries", idArgument)
    .option("--town <id>", "one town's entries", idArgument)
    .option("--limit <n>", "at most n entries (1-1000, default 100)", countArgument(1000))
    .action(async (options: AuditOptions, command: Command) => {
      if (options.session !== undefined && !/^[A-Za-z0-9_-]{22}$/.test(options.session)) throw new CliError("not a session id (22 base64url characters)", EXIT.usage);
      const query = new URLSearchParams();
      if (options.session) query.set("session_id", options.session);
      if (options.agent) query.set("agent_id", options.agent);
      if (options.town) query.set("town_id", options.town);
      if (options.limit) query.set("limit", String(options.limit));
      const { entries } = await admin<{ entries: AuditEntry[] }>(globals(command), "GET", `/admin/audit?${query}`);
      if (globals(command).json) return printJson({ entries });
      if (entries.length === 0) return void process.stdout.write("no entries\n");
      printTable(
        ["time", "event", "session", "agent", "town", "client", "reason"],
        entries.map((e) => [isoTime(e.ts, true), e.event, e.session_id, e.agent_id, e.town_id, e.client_id, e.reason]),
      );
    });
}
