import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import { DEFAULT_SERVER_BOUNDS, listen } from "../src/index.js";

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves with what the server sent once it closed the connection (or after `withinMs`, with "still open"). */
function closedWithin(socket: Socket, withinMs: number): Promise<string> {
  return new Promise((resolve) => {
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    socket.on("error", () => undefined);
    const timer = setTimeout(() => resolve("still open"), withinMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

describe("listen: the one HTTP server of every service", () => {
  it("sets the documented bounds (not Node's 60 s / 300 s / unlimited)", async () => {
    const http = await listen((_req, res) => res.end("ok"), { host: "127.0.0.1", port: 0 });
    try {
      assert.equal(http.server.headersTimeout, DEFAULT_SERVER_BOUNDS.headersTimeoutMs);
      assert.equal(http.server.requestTimeout, DEFAULT_SERVER_BOUNDS.requestTimeoutMs);
      assert.equal(http.server.keepAliveTimeout, DEFAULT_SERVER_BOUNDS.keepAliveTimeoutMs);
      assert.equal(http.server.maxConnections, DEFAULT_SERVER_BOUNDS.maxConnections);
      assert.ok(DEFAULT_SERVER_BOUNDS.headersTimeoutMs <= 10_000 && DEFAULT_SERVER_BOUNDS.requestTimeoutMs <= 60_000);
      assert.equal(await (await fetch(http.url)).text(), "ok");
    } finally {
      await http.close();
    }
  });

  it("cuts off a client that sends its headers too slowly (slowloris)", async () => {
    const http = await listen((_req, res) => res.end("ok"), { host: "127.0.0.1", port: 0, bounds: { headersTimeoutMs: 500, requestTimeoutMs: 1_000, timeoutCheckIntervalMs: 100 } });
    try {
      const slow = await openSocket(http.port);
      slow.write("GET / HTTP/1.1\r\nHost: x\r\n");
      const drip = setInterval(() => slow.writable && slow.write("X-Slow: 1\r\n"), 100);
      const started = Date.now();
      const answer = await closedWithin(slow, 5_000);
      clearInterval(drip);
      assert.notEqual(answer, "still open", "the slow client is cut off");
      assert.match(answer, /^$|408/, "closed, or answered 408 Request Timeout");
      assert.ok(Date.now() - started < 4_000, `cut off after ${Date.now() - started} ms`);
    } finally {
      await http.close();
    }
  });

  it("holds the connection cap: one more connection is refused while the others are served", async () => {
    const http = await listen((_req, res) => res.end("ok"), { host: "127.0.0.1", port: 0, bounds: { maxConnections: 3 } });
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) sockets.push(await openSocket(http.port));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const extra = await openSocket(http.port);
      extra.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.equal(await closedWithin(extra, 3_000), "", "refused without an answer");
      const first = sockets[0]!;
      const answered = new Promise<string>((resolve) => first.once("data", (chunk: Buffer) => resolve(chunk.toString())));
      first.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.match(await answered, /^HTTP\/1\.1 200/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await http.close();
    }
  });

  it("close() stops accepting, lets the request in flight finish, and closes idle keep-alive connections", async () => {
    let release: () => void = () => undefined;
    const http = await listen(
      (req, res) => {
        if (req.url === "/slow") release = () => res.end("finished");
        else res.end("fast");
      },
      { host: "127.0.0.1", port: 0 },
    );
    const idle = await openSocket(http.port);
    const idleClosed = closedWithin(idle, 5_000);
    idle.write("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const inFlight = fetch(`${http.url}/slow`).then((res) => res.text());
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(http.inFlight, 1);
    let closed = false;
    const closing = http.close().then(() => (closed = true));
    assert.match(await idleClosed, /fast/, "the idle keep-alive connection is closed at once");
    await assert.rejects(fetch(`${http.url}/fast`), "no new connection is accepted");
    assert.equal(closed, false, "close waits for the request in flight");
    release();
    assert.equal(await inFlight, "finished");
    await closing;
    assert.equal(closed, true);
  });

  it("close() cuts a request that outlives the grace period", async () => {
    const http = await listen(() => undefined, { host: "127.0.0.1", port: 0, bounds: { closeGraceMs: 300 } });
    const hanging = fetch(http.url).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await http.close();
    assert.ok(Date.now() - started < 2_000);
    assert.ok((await hanging) instanceof Error);
  });
});
