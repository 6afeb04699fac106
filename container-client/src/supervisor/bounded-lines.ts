import type { Readable } from "node:stream";

/** The longest line of agent output kept (bytes); the rest of a longer line is discarded. */
export const AGENT_LINE_MAX_BYTES = 64 * 1024;

const NEWLINE = 0x0a;

/**
 * Splits what an agent writes into lines (LF, a trailing CR dropped) while holding at most
 * `maxBytes` of one line: a longer line is cut there, the rest skipped up to its newline,
 * and `onLine` learns it was cut. A line of many MiB, or millions of lines, never grows
 * the supervisor's memory beyond one line and the stream's own buffer (DESIGN.md "The
 * agent process"); lines are handled as each chunk arrives, so timers run in between.
 */
export function readBoundedLines(input: Readable, maxBytes: number, onLine: (line: string, cut: boolean) => void): void {
  let parts: Buffer[] = [];
  let size = 0;
  let cut = false;
  const emit = (tail?: string): void => {
    let text = tail ?? Buffer.concat(parts, size).toString("utf8");
    if (text.endsWith("\r")) text = text.slice(0, -1);
    parts = [];
    size = 0;
    const wasCut = cut;
    cut = false;
    onLine(text, wasCut);
  };
  input.on("data", (chunk: Buffer) => {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      const room = maxBytes - size;
      const take = Math.min(room, end - start);
      if (end - start > room) cut = true;
      if (newline !== -1 && parts.length === 0) {
        // The common case: the whole (kept part of the) line is inside this chunk.
        emit(chunk.toString("utf8", start, start + take));
      } else {
        if (take > 0) {
          parts.push(Buffer.from(chunk.subarray(start, start + take)));
          size += take;
        }
        if (newline !== -1) emit();
      }
      if (newline === -1) break;
      start = newline + 1;
    }
  });
  input.on("end", () => {
    if (size > 0 || cut) emit();
  });
}
