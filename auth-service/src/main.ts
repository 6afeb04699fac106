import { loadAuthConfig } from "./config.js";
import { startAuthService } from "./server.js";

/** `npm start -w @gastown/auth-service`: settings from the environment (config.ts), then listen (server.ts). */
try {
  const config = await loadAuthConfig({ env: process.env });
  const service = await startAuthService({ config });
  if (config.developmentDefaults.includes("AUTH_ADMIN_TOKEN")) {
    // Development only (otherwise the service refuses to start without AUTH_ADMIN_TOKEN): shown once, never logged.
    process.stderr.write(
      `\n*** DEVELOPMENT MODE - NOT FOR PRODUCTION ***\n*** generated admin token (AUTH_ADMIN_TOKEN): ${service.adminToken}\n\n`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`auth-service: ${signal}, closing\n`);
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Key rotation without a restart: re-read AUTH_SIGNING_KEYS_FILE (a bad file keeps the old keys).
  process.on("SIGHUP", () => {
    service.reloadSigningKeys().then(
      ({ signingKid, kids }) => process.stderr.write(`auth-service: SIGHUP, signing keys reloaded (signing kid ${signingKid}; published ${kids.join(", ")})\n`),
      (error: unknown) => process.stderr.write(`auth-service: SIGHUP, signing keys NOT reloaded, keeping the old ones: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
} catch (error) {
  process.stderr.write(`auth-service: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
