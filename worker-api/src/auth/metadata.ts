import { JwksError, JwksUnavailableError } from "../errors.js";
import { fetchJson, isObject } from "../http/fetch-json.js";

/** The parts of the auth-service's RFC 8414 metadata the worker uses. */
export interface AuthMetadata {
  issuer: string;
  jwks_uri: string;
  token_endpoint: string;
  revocation_endpoint: string;
}

/**
 * Fetches `<authUrl>/.well-known/oauth-authorization-server` (RFC 8414 §3) once and keeps
 * it; a failed fetch is retried on the next use, never cached.
 */
export class AuthMetadataSource {
  readonly #url: string;
  #metadata: Promise<AuthMetadata> | undefined;

  constructor(authUrl: string) {
    this.#url = `${authUrl.replace(/\/+$/, "")}/.well-known/oauth-authorization-server`;
  }

  get(): Promise<AuthMetadata> {
    if (!this.#metadata) {
      const pending = this.#fetch();
      this.#metadata = pending;
      pending.catch(() => {
        if (this.#metadata === pending) this.#metadata = undefined;
      });
    }
    return this.#metadata;
  }

  async #fetch(): Promise<AuthMetadata> {
    let answer: Awaited<ReturnType<typeof fetchJson>>;
    try {
      answer = await fetchJson(this.#url, { headers: { accept: "application/json" } });
    } catch (cause) {
      throw new JwksUnavailableError(`cannot fetch auth metadata from ${this.#url}`, { cause });
    }
    const body = answer.body;
    if (answer.status !== 200 || !isObject(body)) throw new JwksUnavailableError(`auth metadata answered ${answer.status}`);
    const fields = ["issuer", "jwks_uri", "token_endpoint", "revocation_endpoint"] as const;
    for (const field of fields) {
      if (typeof body[field] !== "string") throw new JwksError(`auth metadata lacks ${field}`);
    }
    return body as unknown as AuthMetadata;
  }
}
