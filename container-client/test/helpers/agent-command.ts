import { fileURLToPath } from "node:url";

/** The sample agent run from source through tsx, so tests need no build of this package. */
export function sampleAgentCommand(...args: string[]): string[] {
  const script = fileURLToPath(new URL("../../src/sample-agent.ts", import.meta.url));
  return [process.execPath, "--import", "tsx", script, ...args];
}

export const CONTROL_TOKEN = "test-control-token-0123456789abcdef";

export function control(url: string, method: string, path: string, body?: unknown, token: string | null = CONTROL_TOKEN): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
}
