import { JwksError, JwksUnavailableError } from "../errors.js";
import { fetchJson, isObject } from "../http/fetch-json.js";
import { checkAuthMetadata, type MetadataExpectations } from "./metadata-checks.js";

/** The parts of the auth-service's RFC 8414 metadata the worker uses. */
export interface AuthMetadata {
  issuer: string;
  jwks_uri: string;
  token_endpoint: string;
  revocation_endpoint: string;
}

/**
 * Fetches `<authUrl>/.well-known/oauth-authorization-server` (RFC 8414 §3) once and keeps
 * it once `checkAuthMetadata` accepts it; a failed or refused fetch is retried on the next
 * use, never cached.
 */
export class AuthMetadataSource {
  readonly #url: string;
  readonly #expected: MetadataExpectations;
  #metadata: Promise<AuthMetadata> | undefined;

  /** `expected.issuer` defaults to `authUrl` (the identifier the well-known path was added to). */
  constructor(authUrl: string, expected: Partial<MetadataExpectations> = {}) {
    const base = authUrl.replace(/\/+$/, "");
    this.#url = `${base}/.well-known/oauth-authorization-server`;
    this.#expected = { issuer: expected.issuer ?? base, requireHttps: expected.requireHttps ?? false };
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
    const metadata = body as unknown as AuthMetadata;
    checkAuthMetadata(metadata, this.#expected);
    return metadata;
  }
}
