// Makes the package's bin (dist/cli/main.js, which starts with a shebang) executable after tsc.
import { chmod } from "node:fs/promises";

await chmod(new URL("../dist/cli/main.js", import.meta.url), 0o755);
