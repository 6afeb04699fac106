import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface JsonRequest {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** For https: the CA to trust (the test process was started without NODE_EXTRA_CA_CERTS, and fetch takes no CA). */
  ca?: Buffer;
  timeoutMs?: number;
}

export interface JsonAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** One request over http or https; the answer's JSON body (`{}` when empty). */
export function requestJson(url: string, init: JsonRequest = {}): Promise<JsonAnswer> {
  const headers = { ...init.headers, ...(init.json === undefined ? {} : { "content-type": "application/json" }) };
  const request = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers, ca: init.ca, timeout: init.timeoutMs ?? 10_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${init.timeoutMs ?? 10_000} ms`)));
    req.on("error", reject);
    req.end(init.json === undefined ? undefined : JSON.stringify(init.json));
  });
}
