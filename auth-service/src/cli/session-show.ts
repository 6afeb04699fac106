import { isSessionId } from "@gastown/token-policy";
import type { Command } from "commander";
import type { SessionJson } from "../admin/session-json.js";
import { admin } from "./admin-client.js";
import { CliError, EXIT } from "./errors.js";
import { globals } from "./options.js";
import { isoTime, printJson, printRecord } from "./output.js";

/** `gastown-auth show <session-id>`: GET /admin/sessions/:id. */
export function registerShow(program: Command): void {
  program
    .command("show")
    .description("show one session")
    .argument("<session-id>", "the session id (sid; one that begins with - goes after --)")
    .action(async (sessionId: string, _options: unknown, command: Command) => {
      if (!isSessionId(sessionId)) throw new CliError("not a session id (22 base64url characters)", EXIT.usage);
      const s = await admin<SessionJson>(globals(command), "GET", `/admin/sessions/${encodeURIComponent(sessionId)}`);
      if (globals(command).json) return printJson(s);
      printRecord({
        session_id: s.session_id,
        agent_id: s.agent_id,
        rig_id: s.rig_id,
        town_id: s.town_id,
        user_id: s.user_id,
        role: s.role,
        scope: s.scope,
        client_id: s.client_id,
        state: s.state,
        revoke_reason: s.revoke_reason,
        generation: s.generation,
        created_at: isoTime(s.created_at),
        last_refresh_at: isoTime(s.last_refresh_at),
        idle_expires_at: isoTime(s.idle_expires_at),
        expires_at: isoTime(s.expires_at),
      });
    });
}
