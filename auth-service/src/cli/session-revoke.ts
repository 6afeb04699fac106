import { isSessionId } from "@gastown/token-policy";
import { type Command, Option } from "commander";
import { admin } from "./admin-client.js";
import { confirm } from "./confirm.js";
import { CliError, EXIT } from "./errors.js";
import { globals, idArgument } from "./options.js";
import { printJson, printRecord } from "./output.js";
import type { SessionPageJson } from "./session-list.js";

const SELECTORS = [
  ["session", "session_id"],
  ["agent", "agent_id"],
  ["rig", "rig_id"],
  ["town", "town_id"],
  ["user", "user_id"],
] as const;

type RevokeOptions = Partial<Record<(typeof SELECTORS)[number][0], string>> & { yes?: boolean };

/** Live sessions a bulk revocation would end (first 1000; "1000+" beyond). */
async function liveCount(command: Command, field: string, value: string): Promise<string> {
  const page = await admin<SessionPageJson>(globals(command), "GET", `/admin/sessions?${new URLSearchParams({ [field]: value, limit: "1000" })}`);
  const live = page.sessions.filter((s) => s.state === "active").length;
  return page.next_cursor ? `${live}+` : String(live);
}

/**
 * `gastown-auth revoke --session|--agent|--rig|--town|--user <id> [--yes]`: one session
 * (DELETE /admin/sessions/:id) or every session matching (POST /admin/revocations, which
 * asks for confirmation unless --yes).
 */
export function registerRevoke(program: Command): void {
  program
    .command("revoke")
    .description("revoke one session, or every session of an agent, rig, town or user (reason: admin)")
    .addOption(new Option("--session <session-id>", "one session"))
    .addOption(new Option("--agent <id>", "every session of this agent").argParser(idArgument))
    .addOption(new Option("--rig <id>", "every session of this rig").argParser(idArgument))
    .addOption(new Option("--town <id>", "every session of this town").argParser(idArgument))
    .addOption(new Option("--user <id>", "every session of this user").argParser(idArgument))
    .option("-y, --yes", "do not ask before a bulk revocation (needed when stdin is not a terminal)")
    .action(async (options: RevokeOptions, command: Command) => {
      const given = SELECTORS.filter(([name]) => options[name] !== undefined);
      if (given.length !== 1) throw new CliError("give exactly one of --session, --agent, --rig, --town, --user", EXIT.usage);
      const [name, field] = given[0]!;
      const value = options[name]!;
      let revoked: number;
      if (name === "session") {
        if (!isSessionId(value)) throw new CliError("not a session id (22 base64url characters)", EXIT.usage);
        revoked = (await admin<{ revoked: number }>(globals(command), "DELETE", `/admin/sessions/${encodeURIComponent(value)}`)).revoked;
      } else {
        if (!options.yes) await confirm(`Revoke ${await liveCount(command, field, value)} live session(s) with ${field}=${value}?`, false);
        revoked = (await admin<{ revoked: number }>(globals(command), "POST", "/admin/revocations", { [field]: value })).revoked;
      }
      if (globals(command).json) return printJson({ revoked, [field]: value });
      printRecord({ [field]: value, revoked });
    });
}
