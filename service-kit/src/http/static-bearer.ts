import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, Middleware, Next } from "koa";

/**
 * RFC 6750 §2.1: `Authorization: Bearer <b64token>`; the scheme is case-insensitive
 * (RFC 9110 §11.1), surrounding spaces are tolerated.
 */
const BEARER = /^ *Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** The Bearer scheme with anything else after it. */
const BEARER_SCHEME = /^ *Bearer(?: |$)/i;

export type StaticBearerCheck = "ok" | "missing" | "invalid";

/**
 * One static credential (admin, operator, control token), checked in constant time:
 * both sides are HMAC'd under a per-process random key, so the comparison is between
 * equal-length digests and leaks neither the length nor a prefix of the credential.
 */
export class StaticBearer {
  readonly #key = randomBytes(32);
  readonly #expected: Buffer;

  constructor(credential: string) {
    if (credential.length === 0) throw new RangeError("a static bearer credential must not be empty");
    this.#expected = this.#digest(credential);
  }

  #digest(value: string): Buffer {
    return createHmac("sha256", this.#key).update(value, "utf8").digest();
  }

  /** `missing`: no credentials or another scheme; `invalid`: Bearer with a wrong or malformed token. */
  check(header: string | undefined): StaticBearerCheck {
    const token = BEARER.exec(header ?? "")?.[1];
    if (token === undefined) return BEARER_SCHEME.test(header ?? "") ? "invalid" : "missing";
    return timingSafeEqual(this.#digest(token), this.#expected) ? "ok" : "invalid";
  }
}

export interface StaticBearerOptions {
  /** What the credential is, for the answer: "the operator token". */
  what: string;
  /** `realm` of the challenge (RFC 6750 §3), when the service names one. */
  realm?: string;
}

/**
 * Middleware requiring one static credential. A missing one is answered 401 with the
 * bare challenge, a wrong one 401 with `error="invalid_token"` (RFC 6750 §3, §3.1),
 * before any body is read; the request goes no further.
 */
export function requireStaticBearer(credential: string, options: StaticBearerOptions): Middleware {
  const bearer = new StaticBearer(credential);
  const realm = options.realm === undefined ? "" : ` realm="${options.realm}"`;
  return async function staticBearer(ctx: Context, next: Next): Promise<void> {
    const check = bearer.check(ctx.get("authorization") || undefined);
    if (check === "ok") return next();
    ctx.req.resume();
    ctx.status = 401;
    ctx.set("Cache-Control", "no-store");
    if (check === "missing") {
      ctx.set("WWW-Authenticate", `Bearer${realm}`);
      ctx.body = { error: "unauthorized", error_description: `${options.what} is required` };
    } else {
      ctx.set("WWW-Authenticate", `Bearer${realm}${realm ? "," : ""} error="invalid_token"`);
      ctx.body = { error: "invalid_token", error_description: `wrong ${options.what}` };
    }
  };
}
