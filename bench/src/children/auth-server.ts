import { childConfig, failChild, serveParent } from "./serve-parent.js";

/** The part of @gastown/auth-service's API (notes/API.md) that the bench uses. */
interface AuthServiceModule {
  startAuthService(options: {
    env?: NodeJS.ProcessEnv;
    redisUrl?: string | null;
    prefix?: string;
    port?: number;
    host?: string;
    logLevel?: string;
  }): Promise<{
    url: string;
    dispatcherClients: { id: string; secret: string }[];
    containerClientId: string;
    close(): Promise<void>;
  }>;
}

/** Our auth-service under test, on Redis with its own key prefix. */
async function main(): Promise<void> {
  const config = childConfig();
  if (!config.redisUrl || !config.prefix) throw new Error("redisUrl and prefix are required");
  // Loaded by name at run time so the bench builds and reports the other figures even
  // when the auth-service is not built.
  const specifier = "@gastown/auth-service";
  const { startAuthService } = (await import(specifier)) as AuthServiceModule;
  const service = await startAuthService({ env: {}, redisUrl: config.redisUrl, prefix: config.prefix, port: 0, host: "127.0.0.1", logLevel: "silent" });
  const dispatcher = service.dispatcherClients[0];
  if (!dispatcher) throw new Error("the auth-service has no dispatcher client");
  serveParent(
    { type: "ready", url: service.url, tokenPath: "/oauth2/token", clientId: service.containerClientId, dispatcherId: dispatcher.id, dispatcherSecret: dispatcher.secret },
    {},
    () => service.close(),
  );
}

main().catch(failChild);
