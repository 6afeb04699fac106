export interface Answer {
  status: number;
  body: Record<string, unknown>;
  challenge: string | null;
  retryAfter: string | null;
}

/** POSTs JSON with an optional Authorization header and answers status, body and challenge. */
export async function post(url: string, body: unknown, authorization?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, challenge: response.headers.get("www-authenticate"), retryAfter: response.headers.get("retry-after") };
}

export async function get(url: string, authorization?: string): Promise<Answer> {
  const response = await fetch(url, { headers: authorization === undefined ? {} : { authorization } });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, challenge: response.headers.get("www-authenticate"), retryAfter: response.headers.get("retry-after") };
}

export const bearer = (token: string) => `Bearer ${token}`;

export function heartbeatUrl(base: string, town: string, rig: string, agent: string): string {
  return `${base}/api/towns/${town}/rigs/${rig}/agents/${agent}/heartbeat`;
}
