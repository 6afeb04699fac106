/**
 * An agent that floods its supervisor: one stdout line of `--line-mib` MiB, then
 * `--lines` short lines (and as many on stderr), then the protocol line
 * `{"gastown": "event", "type": "after_flood"}`; then it idles until SIGTERM. Writes wait
 * for the pipe to drain, so the flood goes as fast as the supervisor reads.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";

function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function write(stream: Writable, chunk: Buffer | string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, "drain");
}

const lineMiB = numberArg("--line-mib", 256);
const lines = numberArg("--lines", 2_000_000);
const mib = Buffer.alloc(1024 * 1024, "x");
for (let i = 0; i < lineMiB; i += 1) await write(process.stdout, mib);
await write(process.stdout, "\n");
const PER_CHUNK = 16_384;
const shortLines = Buffer.from("flood line\n".repeat(PER_CHUNK));
for (let sent = 0; sent < lines; sent += PER_CHUNK) {
  await write(process.stdout, shortLines);
  await write(process.stderr, shortLines);
}
await write(process.stdout, `${JSON.stringify({ gastown: "event", type: "after_flood" })}\n`);
process.on("SIGTERM", () => process.exit(0));
setInterval(() => {}, 60_000);
