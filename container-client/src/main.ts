import { loadSupervisorConfig } from "./config.js";
import { ContainerClientError } from "./errors.js";
import { startSupervisor } from "./supervisor/supervisor.js";

try {
  const { options, generatedControlToken } = loadSupervisorConfig(process.env);
  if (generatedControlToken !== undefined) {
    // Development only: the launcher hands this to the worker-api.
    process.stdout.write(`CONTAINER_CONTROL_TOKEN (development, generated): ${generatedControlToken}\n`);
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
