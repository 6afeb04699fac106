import type { ChildProcess } from "node:child_process";
import type { Logger } from "pino";
import { AGENT_LINE_MAX_BYTES, readBoundedLines } from "./bounded-lines.js";

/** Where an agent's output goes besides the stdout handler. */
export interface AgentOutputSinks {
  /** Each stdout line (cut ones included, marked); the protocol ignores cut lines. */
  stdout(line: string, cut: boolean): void;
  log: Logger;
  /** Counts a line cut at `AGENT_LINE_MAX_BYTES` (the supervisor's metrics). */
  lineCut?: ((stream: "stdout" | "stderr") => void) | undefined;
}

/** Stderr lines logged per window; the rest are counted and summed up once per window. */
const STDERR_LINES_PER_WINDOW = 100;
const STDERR_WINDOW_MS = 10_000;
/** Characters of one stderr line that reach the log. */
const STDERR_CHARS_LOGGED = 500;

/**
 * Reads an agent's stdout and stderr in bounded lines (`readBoundedLines`). Stdout lines
 * go to `sinks.stdout`; stderr lines are logged, at most `STDERR_LINES_PER_WINDOW` per
 * 10 s, so an agent cannot flood the supervisor's log either. The first cut line is
 * logged; every one is counted.
 */
export function readAgentOutput(child: ChildProcess, sinks: AgentOutputSinks): void {
  let cutLogged = false;
  const noteCut = (stream: "stdout" | "stderr"): void => {
    sinks.lineCut?.(stream);
    if (cutLogged) return;
    cutLogged = true;
    sinks.log.warn({ stream, limit: AGENT_LINE_MAX_BYTES }, "agent output line too long; cut (later ones are only counted)");
  };
  readBoundedLines(child.stdout!, AGENT_LINE_MAX_BYTES, (line, cut) => {
    if (cut) noteCut("stdout");
    sinks.stdout(line, cut);
  });
  let windowStart = 0;
  let logged = 0;
  let suppressed = 0;
  readBoundedLines(child.stderr!, AGENT_LINE_MAX_BYTES, (line, cut) => {
    if (cut) noteCut("stderr");
    const now = Date.now();
    if (now - windowStart >= STDERR_WINDOW_MS) {
      if (suppressed > 0) sinks.log.warn({ suppressed }, "agent stderr lines not logged (too many)");
      windowStart = now;
      logged = 0;
      suppressed = 0;
    }
    if (logged >= STDERR_LINES_PER_WINDOW) {
      suppressed += 1;
      return;
    }
    logged += 1;
    sinks.log.info({ stderr: line.slice(0, STDERR_CHARS_LOGGED) }, "agent stderr");
  });
}
