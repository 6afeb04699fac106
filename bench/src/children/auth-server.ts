import { startAuthService } from "@gastown/auth-service";
import { childConfig, failChild, serveParent } from "./serve-parent.js";

/** Our auth-service under test, on Redis with its own key prefix, development defaults otherwise. */
async function main(): Promise<void> {
  const config = childConfig();
  if (!config.redisUrl || !config.prefix) throw new Error("redisUrl and prefix are required");
  const service = await startAuthService({ env: { NODE_ENV: "development" }, redisUrl: config.redisUrl, prefix: config.prefix, port: 0, host: "127.0.0.1", logLevel: "silent" });
  const dispatcher = service.dispatcherClients[0];
  if (!dispatcher) throw new Error("the auth-service has no dispatcher client");
  serveParent(
    { type: "ready", url: service.url, tokenPath: "/oauth2/token", clientId: service.containerClientId, dispatcherId: dispatcher.id, dispatcherSecret: dispatcher.secret },
    // CPU time of this process (user + system, µs): server CPU per grant, whatever else runs on the machine.
    { cpuUsage: async () => process.cpuUsage() },
    () => service.close(),
  );
}

main().catch(failChild);
