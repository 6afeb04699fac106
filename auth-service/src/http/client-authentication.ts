import { InvalidClientError, InvalidRequestError } from "../errors.js";
import type { AuthenticatedClient } from "./clients.js";
import type { AuthMiddleware } from "./state.js";

interface BasicCredentials {
  id: string;
  secret: string;
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

/** RFC 6749 §2.3.1: id and secret are form-encoded, then joined by ":" and base64-encoded. */
function parseBasic(header: string): BasicCredentials | undefined {
  const match = /^Basic +([A-Za-z0-9+/=._~-]+) *$/i.exec(header);
  if (!match) {
    if (/^Basic\b/i.test(header)) throw new InvalidClientError("malformed Basic credentials");
    return undefined;
  }
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw new InvalidClientError("malformed Basic credentials");
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidClientError("malformed Basic credentials");
  }
}

/**
 * Client authentication (RFC 6749 §2.3): `client_secret_basic` or `client_secret_post`
 * for dispatcher clients (secrets compared in constant time), `none` with `client_id`
 * for the public container client. Using two methods at once is invalid_request
 * (RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request").
 */
export const authenticateClient: AuthMiddleware = async (ctx, next) => {
  const { provider, params } = ctx.state;
  const registry = provider.clients;
  const basic = parseBasic(ctx.get("authorization"));
  const bodyId = params?.get("client_id");
  const bodySecret = params?.get("client_secret");
  let client: AuthenticatedClient;
  if (basic) {
    if (bodySecret !== undefined) throw new InvalidRequestError("more than one client authentication method used");
    if (bodyId !== undefined && bodyId !== basic.id) throw new InvalidRequestError("client_id differs from the Authorization header");
    if (!registry.checkSecret(basic.id, basic.secret)) throw new InvalidClientError("client authentication failed");
    client = { id: basic.id, kind: "dispatcher", method: "client_secret_basic" };
  } else if (bodySecret !== undefined) {
    if (bodyId === undefined) throw new InvalidClientError("client_id is required");
    if (!registry.checkSecret(bodyId, bodySecret)) throw new InvalidClientError("client authentication failed");
    client = { id: bodyId, kind: "dispatcher", method: "client_secret_post" };
  } else {
    if (bodyId === undefined) throw new InvalidClientError("client authentication is required (client_id is missing)");
    if (!registry.isContainer(bodyId)) throw new InvalidClientError("client authentication failed");
    client = { id: bodyId, kind: "container", method: "none" };
  }
  ctx.state.client = client;
  await next();
};

/** Endpoints only confidential dispatcher clients may use (introspection). */
export const requireDispatcherClient: AuthMiddleware = async (ctx, next) => {
  if (ctx.state.client?.kind !== "dispatcher") throw new InvalidClientError("this endpoint needs a confidential dispatcher client");
  await next();
};
