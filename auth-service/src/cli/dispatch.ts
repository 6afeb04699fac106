import { ROLES } from "@gastown/token-policy";
import { type Command, Option } from "commander";
import { grantType } from "../grants/agent_dispatch.js";
import type { TokenResponse } from "../grants/grant.js";
import { baseUrl, call, failure } from "./admin-client.js";
import { cliEnvironment } from "./config.js";
import { CliError, EXIT } from "./errors.js";
import { globals, idArgument } from "./options.js";
import { printJson, printRecord } from "./output.js";
import { readSecretFile } from "./secrets.js";

interface DispatchOptions {
  agent: string;
  town: string;
  user: string;
  role: string;
  rig?: string;
  scope?: string;
  clientId?: string;
  clientSecretFile?: string;
}

/** `gastown-auth dispatch`: the dispatch grant as a dispatcher client, for testing. Prints the token pair. */
export function registerDispatch(program: Command): void {
  program
    .command("dispatch")
    .description("start a session for testing (dispatch grant as a dispatcher client); prints the tokens: treat them as secrets")
    .requiredOption("--agent <id>", "agent id", idArgument)
    .requiredOption("--town <id>", "town id", idArgument)
    .requiredOption("--user <id>", "user id", idArgument)
    .addOption(new Option("--role <role>", "agent role").choices([...ROLES]).makeOptionMandatory())
    .option("--rig <id>", "rig id (absent for town-level agents)", idArgument)
    .option("--scope <scope>", "narrower scope (default: all the role allows)")
    .option("--client-id <id>", "dispatcher client id (default WORKER_CLIENT_ID)")
    .option("--client-secret-file <path>", "read the dispatcher client secret from this file, - for standard input (default WORKER_CLIENT_SECRET)")
    .action(async (options: DispatchOptions, command: Command) => {
      const env = cliEnvironment();
      const clientId = options.clientId ?? env.workerClientId;
      const clientSecret = options.clientSecretFile !== undefined ? await readSecretFile(options.clientSecretFile, "client secret") : env.workerClientSecret;
      if (!clientId || !clientSecret) throw new CliError("no dispatcher client: set WORKER_CLIENT_ID and WORKER_CLIENT_SECRET, or pass --client-id and --client-secret-file <path>", EXIT.unauthorized);
      const params = new URLSearchParams({ grant_type: grantType, agent_id: options.agent, town_id: options.town, user_id: options.user, role: options.role });
      if (options.rig) params.set("rig_id", options.rig);
      if (options.scope) params.set("scope", options.scope);
      // RFC 6749 §2.3.1: client_secret_basic, both parts form-urlencoded.
      const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64");
      const { status, body } = await call(`${baseUrl(globals(command))}/oauth2/token`, {
        method: "POST",
        headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
        body: params.toString(),
      });
      if (status !== 200) throw failure(status, body);
      const tokens = body as TokenResponse;
      if (globals(command).json) return printJson(tokens);
      printRecord({ session_id: tokens.session_id, scope: tokens.scope, expires_in: tokens.expires_in, access_token: tokens.access_token, refresh_token: tokens.refresh_token });
    });
}
