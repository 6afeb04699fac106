import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { BodyTooLargeError, MalformedBodyError, readBody } from "@gastown/service-kit";
import type { ParameterizedContext } from "koa";
import type { DispatcherClient } from "../config.js";
import { InvalidClientError, InvalidRequestError, quoted } from "../errors.js";

/*
 * Reading an OAuth request (token, revocation and introspection endpoints), in the order
 * the endpoints run it: no-store, the form body and its parameters (RFC 6749 §3.2), then
 * client authentication (§2.3) against the registered clients.
 */

/** What these steps read and write of a request's state (the app's `AuthState` holds it). */
interface OAuthRequestState {
  provider: { readonly clients: ClientRegistry };
  params?: FormParams;
  client?: AuthenticatedClient;
}

type AuthMiddleware = (ctx: ParameterizedContext<OAuthRequestState>, next: () => Promise<unknown>) => Promise<void>;

/** RFC 6749 §5.1: responses carrying tokens must not be cached. */
export const noStore: AuthMiddleware = async (ctx, next) => {
  ctx.set("Cache-Control", "no-store");
  ctx.set("Pragma", "no-cache");
  await next();
};

/** Parsed `application/x-www-form-urlencoded` parameters; each name appears once. */
export class FormParams {
  readonly #values: ReadonlyMap<string, string>;
  /** When set, only these names can be read (see `only`). */
  readonly #allowed: ReadonlySet<string> | undefined;

  constructor(values: ReadonlyMap<string, string>, allowed?: ReadonlySet<string>) {
    this.#values = values;
    this.#allowed = allowed;
  }

  /** An empty parameter counts as absent (DESIGN.md). */
  get(name: string): string | undefined {
    if (this.#allowed !== undefined && !this.#allowed.has(name)) return undefined;
    const value = this.#values.get(name);
    return value === undefined || value === "" ? undefined : value;
  }

  /**
   * The same parameters with only `names` readable: what the token endpoint hands a grant
   * (oidc-provider strips what a grant does not take; RFC 6749 §3.2 ignores the rest).
   */
  only(names: ReadonlySet<string>): FormParams {
    return new FormParams(this.#values, names);
  }
}

/** DESIGN.md: a body over 16 KiB is invalid_request (400), never a 500. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Stateless between calls (no `stream` option), so one decoder serves every request. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

function decode(part: string): string {
  // Most names and values (token characters) carry no escapes at all.
  if (!part.includes("%") && !part.includes("+")) return part;
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    throw new InvalidRequestError("the request body is not valid form encoding");
  }
}

/** RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included more than once." */
export function parseForm(text: string): FormParams {
  const values = new Map<string, string>();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? "" : decode(pair.slice(equals + 1));
    if (values.has(name)) throw new InvalidRequestError(`parameter ${quoted(name)} is included more than once`);
    values.set(name, value);
  }
  return new FormParams(values);
}

/**
 * The body of an OAuth request, by service-kit's limit rule; but DESIGN.md has the
 * token, revocation and introspection endpoints answer every unreadable or oversized
 * body as invalid_request (400), so the kit's 413 / 400 become InvalidRequestError.
 */
async function readOAuthBody(req: IncomingMessage): Promise<Buffer> {
  try {
    return await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new InvalidRequestError(`the request body is larger than ${MAX_BODY_BYTES / 1024} KiB`, { cause: error });
    if (error instanceof MalformedBodyError) throw new InvalidRequestError("the request body could not be read", { cause: error });
    throw error;
  }
}

function mediaType(header: string | undefined): { type: string; charset: string | undefined } {
  const [type = "", ...params] = (header ?? "").split(";");
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith("charset="))
    ?.slice("charset=".length)
    .replace(/"/g, "");
  return { type: type.trim().toLowerCase(), charset };
}

/** RFC 6749 §3.2: token (and revocation, introspection) requests are form-encoded POSTs. */
export const parseFormBody: AuthMiddleware = async (ctx, next) => {
  const { type, charset } = mediaType(ctx.get("content-type") || undefined);
  if (type !== "application/x-www-form-urlencoded") {
    ctx.req.resume();
    throw new InvalidRequestError("the request body must be application/x-www-form-urlencoded");
  }
  if (charset !== undefined && charset !== "utf-8") {
    ctx.req.resume();
    throw new InvalidRequestError("the request body must be UTF-8");
  }
  const body = await readOAuthBody(ctx.req);
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new InvalidRequestError("the request body is not valid UTF-8");
  }
  ctx.state.params = parseForm(text);
  await next();
};

export type ClientKind = "dispatcher" | "container";
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** The client a request authenticated as. */
export interface AuthenticatedClient {
  id: string;
  kind: ClientKind;
  method: ClientAuthMethod;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * The registered clients: confidential dispatcher clients (AUTH_DISPATCHER_CLIENTS) and
 * the public container client, which has no secret (RFC 6749 §2.1).
 */
export class ClientRegistry {
  readonly #secrets = new Map<string, Buffer>();
  readonly #unknown = digest("\u0000no-such-client");
  readonly containerClientId: string;

  constructor(dispatchers: readonly DispatcherClient[], containerClientId: string) {
    for (const client of dispatchers) this.#secrets.set(client.id, digest(client.secret));
    this.containerClientId = containerClientId;
  }

  isDispatcher(id: string): boolean {
    return this.#secrets.has(id);
  }

  isContainer(id: string): boolean {
    return id === this.containerClientId;
  }

  /** Constant time on equal-length digests; an unknown id costs the same as a known one. */
  checkSecret(id: string, secret: string): boolean {
    const expected = this.#secrets.get(id);
    const equal = timingSafeEqual(expected ?? this.#unknown, digest(secret));
    return expected !== undefined && equal;
  }
}

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
