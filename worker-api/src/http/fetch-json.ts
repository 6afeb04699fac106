/** Time limit of every outgoing HTTP call (auth-service, container control server). */
export const OUTGOING_TIMEOUT_MS = 10_000;

export interface JsonResponse {
  status: number;
  body: unknown;
}

/** One HTTP call answering status and parsed JSON (undefined when the body is not JSON). */
export async function fetchJson(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(OUTGOING_TIMEOUT_MS) });
  const text = await response.text();
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
