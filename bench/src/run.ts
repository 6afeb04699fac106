import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { runBench } from "./bench.js";
import { renderResults } from "./report/render.js";
import { benchSettings } from "./scenarios/settings.js";

/**
 * `npm run bench`: runs every measurement once, writes bench/RESULTS.md (or
 * BENCH_RESULTS) and prints it. Targets are reported, never asserted.
 */
async function main(): Promise<void> {
  const settings = benchSettings();
  const report = await runBench(settings);
  const markdown = renderResults(report);
  const path = process.env.BENCH_RESULTS || fileURLToPath(new URL("../RESULTS.md", import.meta.url));
  await writeFile(path, markdown);
  process.stdout.write(`\n${markdown}\nwritten to ${path}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
