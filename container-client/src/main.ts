import { loadSupervisorConfig } from "./config.js";
import { ContainerClientError } from "./errors.js";
import { startSupervisor } from "./supervisor/supervisor.js";

/** `npm start -w @gastown/container-client`: settings from the environment (config.ts), then listen (supervisor.ts). */
try {
  const { options, developmentDefaults } = loadSupervisorConfig(process.env);
  if (developmentDefaults.includes("CONTAINER_CONTROL_TOKEN")) {
    // Development only: the launcher hands this to the worker-api.
    process.stdout.write(`CONTAINER_CONTROL_TOKEN (development, generated): ${options.controlToken}\n`);
  }
  const supervisor = await startSupervisor(options);
  const shutdown = (): void => void supervisor.close().then(() => process.exit(0));
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
} catch (error) {
  const code = error instanceof ContainerClientError ? error.code : "ERR_START";
  process.stderr.write(`container supervisor failed to start (${code}): ${(error as Error).message}\n`);
  process.exit(1);
}
