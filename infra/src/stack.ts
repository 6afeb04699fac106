import { describeRedis } from "@gastown/service-kit";
/**
 * `npm start`: the whole local development stack in one process (auth-service,
 * worker-api, one container supervisor), a Mayor and a polecat dispatched into it, and a
 * compact line for each refresh, callback, push and revocation as it happens.
 * Ctrl-C stops everything and exits 0. Flags: see `USAGE` (`npm start -- --help`).
 */
import { formatEvent, type StackEvent, shortId } from "./stack/events.js";
import { parseStackOptions, StackUsageError, USAGE } from "./stack/options.js";
import { startLocalStack } from "./stack/start.js";
import { AgentWatch } from "./stack/watch.js";

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    say(USAGE);
    return;
  }
  const options = parseStackOptions(argv, process.env);
  const stack = await startLocalStack(options);
  const policy = stack.auth.policy;

  say("");
  say("**********************************************************************");
  say("***  DEVELOPMENT STACK - NOT FOR PRODUCTION                         ***");
  say("***  NODE_ENV=development: generated secrets and keys, the        ***");
  say("***  published dev client secret, one process                      ***");
  say("**********************************************************************");
  say(`auth-service   ${stack.auth.url}   (sessions: ${options.redis ? `Redis, ${describeRedis(options.redis)}` : "in memory"})`);
  say(`worker-api     ${stack.worker.url}`);
  say(`container      ${stack.supervisor.url}`);
  say(`lifetimes      access ${policy.accessTokenTtl}s, idle ${policy.refreshIdleTtl}s, session ${policy.sessionMaxTtl}s, grace ${policy.refreshGrace}s, tolerance ${policy.clockTolerance}s`);
  say(`admin token    ${stack.auth.adminToken}   (development only)`);
  say(`operator token ${stack.worker.operatorToken}   (development only)`);
  if (policy.accessTokenTtl > 300) say("tip: npm start -- --access-ttl 20   to watch token rotation live");
  say("Ctrl-C stops everything.");
  say("");

  const watch = new AgentWatch(stack.supervisor, (event: StackEvent) => say(formatEvent(event)));
  stack.onRevocation((event) => say(formatEvent({ kind: "revoked", agent: watch.ownerOf(event.sid), sessionId: event.sid, reason: event.reason })));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping agents, worker-api, auth-service...`);
    watch.stop();
    stack.close().then(
      () => {
        say("stopped cleanly");
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`stack: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  const dispatched = await stack.dispatchAgents();
  for (const agent of dispatched) say(`dispatched     ${agent.agent_id} sid=${shortId(agent.session_id)}`);
}

main().catch((error: unknown) => {
  const usage = error instanceof StackUsageError;
  process.stderr.write(`stack: ${(error as Error).message}\n${usage ? `\n${USAGE}\n` : ""}`);
  process.exit(usage ? 2 : 1);
});
