export type Cell = string | number;
export type Alignment = "left" | "right";

/** Escapes what would break a Markdown table cell. */
function cell(value: Cell): string {
  return String(value).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * A GitHub-flavoured Markdown table. Columns are right-aligned when `align` says so
 * (default: first column left, the others right, as figures are).
 */
export function markdownTable(header: readonly Cell[], rows: readonly (readonly Cell[])[], align?: readonly Alignment[]): string {
  const alignment = header.map((_, index) => align?.[index] ?? (index === 0 ? "left" : "right"));
  const lines = [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${alignment.map((side) => (side === "right" ? "---:" : ":---")).join(" | ")} |`,
    ...rows.map((row) => `| ${header.map((_, index) => cell(row[index] ?? "")).join(" | ")} |`),
  ];
  return lines.join("\n");
}
