// Copies every Lua script under the package's src/ to the same place under dist/, so that
// modules that read them relative to themselves (new URL("./scripts/x.lua", import.meta.url))
// find them. Run from the package folder (npm runs a package's scripts there).
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const root = process.cwd();
const src = join(root, "src");
const dist = join(root, "dist");

let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".lua")) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(dist, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied += 1;
}
if (copied === 0) throw new Error("copy-lua: no .lua files found under src/");
