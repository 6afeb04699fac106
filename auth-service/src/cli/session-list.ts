import type { Command } from "commander";
import type { SessionJson } from "../admin/session-json.js";
import { admin } from "./admin-client.js";
import { countArgument, globals, idArgument } from "./options.js";
import { isoTime, printJson, printTable } from "./output.js";

export interface SessionPageJson {
  sessions: SessionJson[];
  next_cursor: string | null;
}

interface ListOptions {
  agent?: string;
  rig?: string;
  town?: string;
  user?: string;
  limit?: number;
  cursor?: string;
}

export function sessionQuery(options: ListOptions): URLSearchParams {
  const query = new URLSearchParams();
  if (options.agent) query.set("agent_id", options.agent);
  if (options.rig) query.set("rig_id", options.rig);
  if (options.town) query.set("town_id", options.town);
  if (options.user) query.set("user_id", options.user);
  if (options.limit) query.set("limit", String(options.limit));
  if (options.cursor) query.set("cursor", options.cursor);
  return query;
}

export function printSessions(sessions: readonly SessionJson[]): void {
  printTable(
    ["session", "agent", "rig", "town", "user", "role", "state", "reason", "gen", "created", "last refresh", "expires"],
    sessions.map((s) => [s.session_id, s.agent_id, s.rig_id, s.town_id, s.user_id, s.role, s.state, s.revoke_reason, s.generation, isoTime(s.created_at), isoTime(s.last_refresh_at), isoTime(s.expires_at)]),
  );
}

/** `gastown-auth list`: GET /admin/sessions with filters. */
export function registerList(program: Command): void {
  program
    .command("list")
    .description("list sessions, newest first (filters combine with AND)")
    .option("--agent <id>", "only this agent's sessions", idArgument)
    .option("--rig <id>", "only this rig's sessions", idArgument)
    .option("--town <id>", "only this town's sessions", idArgument)
    .option("--user <id>", "only this user's sessions", idArgument)
    .option("--limit <n>", "at most n sessions (1-1000, default 100)", countArgument(1000))
    .option("--cursor <cursor>", "the next page (from a previous answer)")
    .action(async (options: ListOptions, command: Command) => {
      const page = await admin<SessionPageJson>(globals(command), "GET", `/admin/sessions?${sessionQuery(options)}`);
      if (globals(command).json) return printJson(page);
      if (page.sessions.length === 0) process.stdout.write("no sessions\n");
      else printSessions(page.sessions);
      if (page.next_cursor) process.stdout.write(`more: --cursor ${page.next_cursor}\n`);
    });
}
