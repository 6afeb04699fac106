import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TokenPair } from "../../src/index.js";

export interface FakeAgent {
  agent_id: string;
  identity: Record<string, unknown>;
  pair: TokenPair;
  pid: number;
  state: "running" | "stopped" | "exited";
  lost: boolean;
}

export interface Call {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

export interface FakeContainer {
  url: string;
  token: string;
  calls: Call[];
  agents: Map<string, FakeAgent>;
  /** Status code forced on token swaps (e.g. 500), undefined = normal. */
  failSwaps: number | undefined;
  count(method: string, suffix: string): number;
  close(): Promise<void>;
}

/**
 * A recording stand-in for the container control server (DESIGN.md "Container control
 * server"), for dispatcher tests that do not need real agent processes.
 */
export async function startFakeContainer(token = "control-token-for-tests"): Promise<FakeContainer> {
  let nextPid = 4000;
  const fake: FakeContainer = {
    url: "",
    token,
    calls: [],
    agents: new Map(),
    failSwaps: undefined,
    count: (method, suffix) => fake.calls.filter((c) => c.method === method && c.path.endsWith(suffix)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: "unauthorized" });
    const path = req.url ?? "";
    fake.calls.push({ method: req.method ?? "", path, body });
    if (req.method === "POST" && path === "/agents/start") {
      const agentId = String(body?.agent_id);
      const agent: FakeAgent = { agent_id: agentId, identity: { ...body, tokens: undefined }, pair: body?.tokens as TokenPair, pid: nextPid++, state: "running", lost: false };
      fake.agents.set(agentId, agent);
      return send(201, { agent_id: agentId, state: "running", pid: agent.pid });
    }
    const match = /^\/agents\/([^/]+)(\/message|\/tokens)?$/.exec(path);
    const agent = match ? fake.agents.get(decodeURIComponent(match[1]!)) : undefined;
    if (!agent) return send(404, { error: "not_found" });
    if (req.method === "GET" && !match![2]) {
      return send(200, {
        agent_id: agent.agent_id,
        state: agent.state,
        pid: agent.pid,
        session: { session_id: agent.pair.session_id, access_expires_at: null, last_refresh_at: null, refresh_failures: agent.lost ? 3 : 0, lost: agent.lost },
      });
    }
    if (req.method === "PUT" && match![2] === "/tokens") {
      if (fake.failSwaps) return send(fake.failSwaps, { error: "forced" });
      agent.pair = body as unknown as TokenPair;
      agent.lost = false;
      return send(200, { session_id: agent.pair.session_id });
    }
    if (req.method === "POST" && match![2] === "/message") {
      if (body?.tokens) {
        agent.pair = body.tokens as TokenPair;
        agent.lost = false;
      }
      return send(202, { delivered: true });
    }
    if (req.method === "DELETE" && !match![2]) {
      agent.state = "stopped";
      return send(200, { agent_id: agent.agent_id, state: "stopped" });
    }
    return send(400, { error: "bad_request" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
