import { Pool } from "undici";

/** A keep-alive connection pool to one origin (one connection per virtual client). */
export function connectionPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** POSTs a body and reads the whole answer. */
export async function post(pool: Pool, path: string, body: string, headers: Record<string, string>): Promise<HttpAnswer> {
  const answer = await pool.request({ path, method: "POST", headers, body });
  return { status: answer.statusCode, body: await answer.body.text() };
}

/** `application/x-www-form-urlencoded` body of the given fields. */
export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded" } as const;

/** `Authorization: Basic` value for client_secret_basic (RFC 6749 §2.3.1: form-encoded id and secret). */
export function basicAuthorization(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}
