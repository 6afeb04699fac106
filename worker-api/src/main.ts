import { loadWorkerSettings } from "./config.js";
import { startWorkerApi } from "./server.js";

/** `npm start -w @gastown/worker-api`: settings from the environment (config.ts), then listen (server.ts). */
async function main(): Promise<void> {
  const settings = loadWorkerSettings(process.env);
  const worker = await startWorkerApi(settings);
  if (settings.developmentDefaults.includes("WORKER_OPERATOR_TOKEN")) {
    // Development only (otherwise the service refuses to start without WORKER_OPERATOR_TOKEN).
    process.stdout.write(`WORKER_OPERATOR_TOKEN=${worker.operatorToken}\n`);
  }
  if (settings.developmentDefaults.includes("CONTAINER_CONTROL_TOKEN")) {
    process.stderr.write("CONTAINER_CONTROL_TOKEN is unset: a random one is used, container calls will be refused (development only)\n");
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
