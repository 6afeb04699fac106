import { loadWorkerSettings, workerApiOptions } from "./config.js";
import { startWorkerApi } from "./server.js";

/** `npm start -w @gastown/worker-api`: settings from the environment (DESIGN.md "Settings"). */
async function main(): Promise<void> {
  const settings = loadWorkerSettings(process.env);
  const generatedOperatorToken = settings.operatorToken === undefined;
  const worker = await startWorkerApi(workerApiOptions(settings, process.env));
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
