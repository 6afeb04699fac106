/**
 * Test entry, run inside a network namespace (`ip netns exec <ns> node --import tsx
 * ns-relay-entry.ts <socket>=<host>:<port> ...`): forwards connections on each Unix socket
 * (the file system is shared across network namespaces) to that TCP address in the
 * namespace's network. Prints `relay ready` once every socket listens.
 */
import { createConnection, createServer } from "node:net";

const routes = process.argv.slice(2).map((arg) => {
  const match = /^(.+)=(.+):(\d+)$/.exec(arg);
  if (!match) throw new RangeError(`not <socket>=<host>:<port>: ${arg}`);
  return { socket: match[1]!, host: match[2]!, port: Number(match[3]) };
});

await Promise.all(
  routes.map(
    ({ socket, host, port }) =>
      new Promise<void>((resolve, reject) => {
        const server = createServer((inbound) => {
          const outbound = createConnection({ host, port });
          const end = () => {
            inbound.destroy();
            outbound.destroy();
          };
          inbound.on("error", end).on("close", end);
          outbound.on("error", end).on("close", end);
          inbound.pipe(outbound).pipe(inbound);
        });
        server.once("error", reject).listen(socket, resolve);
      }),
  ),
);
process.stdout.write("relay ready\n");
process.once("SIGTERM", () => process.exit(0));
