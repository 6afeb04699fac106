/** Lines of stdout kept per agent, for diagnostics and tests. */
export const OUTPUT_LINES_KEPT = 1_000;
/** Characters kept of each of those lines: the tail stays small however long lines are. */
export const OUTPUT_LINE_CHARS_KEPT = 4_096;

/** The last lines an agent printed, in a ring: O(1) per line, at most about 4 MiB. */
export class OutputTail {
  readonly #ring: string[] = [];
  #next = 0;

  push(line: string): void {
    const kept = line.length > OUTPUT_LINE_CHARS_KEPT ? line.slice(0, OUTPUT_LINE_CHARS_KEPT) : line;
    if (this.#ring.length < OUTPUT_LINES_KEPT) this.#ring.push(kept);
    else this.#ring[this.#next] = kept;
    this.#next = (this.#next + 1) % OUTPUT_LINES_KEPT;
  }

  /** Oldest first. */
  lines(): string[] {
    if (this.#ring.length < OUTPUT_LINES_KEPT) return [...this.#ring];
    return [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }
}
