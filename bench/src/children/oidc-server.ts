import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadPolicy } from "@gastown/token-policy";
import { Redis } from "ioredis";
import Provider from "oidc-provider";
import { OIDC_CLIENT_ID, OIDC_RESOURCE, OIDC_SCOPE, providerConfiguration } from "../oidc/configuration.js";
import { childConfig, failChild, serveParent } from "./serve-parent.js";

/**
 * oidc-provider 9 under test, on Redis with its own key prefix. `issue` pre-issues refresh
 * chains: for each, a Grant and a RefreshToken are created through the provider's own
 * models (what its authorization_code grant stores after a login with offline access),
 * so the measured refresh grants go through its real token endpoint.
 */
async function main(): Promise<void> {
  const config = childConfig();
  if (!config.redisUrl || !config.prefix) throw new Error("redisUrl and prefix are required");
  const policy = loadPolicy({}, {});
  const redis = new Redis(config.redisUrl, { keyPrefix: config.prefix });
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(
    url,
    await providerConfiguration({
      redis,
      audience: policy.audience,
      accessTokenTtl: policy.accessTokenTtl,
      refreshTokenTtl: policy.refreshIdleTtl,
      grantTtl: policy.sessionMaxTtl,
    }),
  );
  let serverErrors = 0;
  provider.on("server_error", (_ctx, error) => {
    serverErrors++;
    if (serverErrors <= 3) console.error("oidc-provider server_error", error);
  });
  server.on("request", provider.callback());
  const client = await provider.Client.find(OIDC_CLIENT_ID);
  let issued = 0;

  const issueOne = async (): Promise<string> => {
    const accountId = `agent-${process.pid}-${issued++}`;
    const grant = new provider.Grant({ accountId, clientId: OIDC_CLIENT_ID });
    grant.addResourceScope(OIDC_RESOURCE, OIDC_SCOPE);
    const grantId = await grant.save();
    const token = new provider.RefreshToken({
      client,
      accountId,
      grantId,
      gty: "authorization_code",
      scope: OIDC_SCOPE,
      resource: OIDC_RESOURCE,
      iiat: Math.floor(Date.now() / 1000),
      rotations: 0,
      expiresWithSession: false,
    });
    return token.save();
  };

  serveParent(
    { type: "ready", url, tokenPath: "/token", clientId: OIDC_CLIENT_ID },
    {
      issue: async (request) => {
        const tokens: string[] = [];
        for (let i = 0; i < Number(request.count); i++) tokens.push(await issueOne());
        return tokens;
      },
      serverErrors: async () => serverErrors,
      // CPU time of this process (user + system, µs): server CPU per grant, whatever else runs on the machine.
      cpuUsage: async () => process.cpuUsage(),
    },
    async () => {
      server.closeAllConnections();
      server.close();
      await redis.quit();
    },
  );
}

main().catch(failChild);
