import { randomBytes } from "node:crypto";
import { loadWorkerSettings } from "./config.js";
import { startWorkerApi } from "./server.js";

/** `npm start -w @gastown/worker-api`: settings from the environment (DESIGN.md "Settings"). */
async function main(): Promise<void> {
  const settings = loadWorkerSettings(process.env);
  const generatedOperatorToken = settings.operatorToken === undefined;
  const worker = await startWorkerApi({
    env: process.env,
    port: settings.port,
    authUrl: settings.authUrl,
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    containerUrl: settings.containerUrl,
    containerControlToken: settings.containerControlToken ?? randomBytes(32).toString("base64url"),
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    ...(settings.operatorToken === undefined ? {} : { operatorToken: settings.operatorToken }),
    logLevel: process.env.LOG_LEVEL ?? "info",
  });
  if (generatedOperatorToken) {
    // Development only (production refuses to start without WORKER_OPERATOR_TOKEN).
    process.stdout.write(`WORKER_OPERATOR_TOKEN=${worker.operatorToken}\n`);
  }
  if (settings.containerControlToken === undefined) {
    process.stderr.write("CONTAINER_CONTROL_TOKEN is unset: container calls will be refused (development only)\n");
  }
  const shutdown = () => {
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker-api failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
