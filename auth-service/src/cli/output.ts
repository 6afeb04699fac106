/** Writes JSON for scripts (--json), one document, to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export type Cell = string | number | null | undefined;

function text(cell: Cell): string {
  return cell === null || cell === undefined || cell === "" ? "-" : String(cell);
}

/** A plain-text table with a header row, columns padded to their widest cell. */
export function printTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => row.map(text))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  const lines = cells.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd(),
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** `name  value` lines for one record. */
export function printRecord(record: Record<string, Cell>): void {
  const width = Math.max(...Object.keys(record).map((key) => key.length));
  const lines = Object.entries(record).map(([key, value]) => `${key.padEnd(width)}  ${text(value)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Unix seconds (or epoch ms with `ms`) as an ISO time without milliseconds. */
export function isoTime(value: number | null | undefined, ms = false): string | null {
  if (value === null || value === undefined) return null;
  return new Date(ms ? value : value * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
