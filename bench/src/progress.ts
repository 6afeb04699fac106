/**
 * One progress line on stderr saying what runs: rewritten in place on a terminal, one
 * line per step otherwise (CI logs).
 */
export class Progress {
  #step = 0;
  #label = "";
  readonly #tty: boolean;

  constructor(
    private readonly totalSteps: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.#tty = Boolean(stream.isTTY);
  }

  /** Starts the next step. */
  step(label: string): void {
    this.#step++;
    this.#label = label;
    this.#write(`${label} ...`, !this.#tty);
  }

  /** Updates the current step's status (terminal only). */
  update(status: string): void {
    if (this.#tty) this.#write(`${this.#label}: ${status}`, false);
  }

  /** Ends the current step with a short result. */
  done(result: string): void {
    this.#write(`${this.#label}: ${result}`, true);
  }

  #write(text: string, newline: boolean): void {
    const line = `[${this.#step}/${this.totalSteps}] ${text}`;
    if (this.#tty) this.stream.write(`\r\x1b[2K${line}${newline ? "\n" : ""}`);
    else if (newline) this.stream.write(`${line}\n`);
  }
}
