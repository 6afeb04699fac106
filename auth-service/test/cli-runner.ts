import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const CLI_SOURCE = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunner {
  /** Runs `gastown-auth` as a child process; stdin is a pipe (not a terminal) given `stdin`, then closed. */
  cli(args: string[], env?: NodeJS.ProcessEnv, stdin?: string): Promise<Run>;
  close(): Promise<void>;
}

/**
 * The CLI's own source, bundled once (dependencies stay in node_modules): a child process
 * then starts in a fraction of the time tsx needs to compile it on every run.
 */
export async function bundleCli(): Promise<CliRunner> {
  const dir = await mkdtemp(join(fileURLToPath(new URL(".", import.meta.url)), ".cli-"));
  const bundle = join(dir, "gastown-auth.mjs");
  await build({ entryPoints: [CLI_SOURCE], outfile: bundle, bundle: true, platform: "node", format: "esm", packages: "external", target: "node20", logLevel: "error" });
  return {
    cli(args, env = {}, stdin = "") {
      const child = spawn(process.execPath, [bundle, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["pipe", "pipe", "pipe"] });
      child.stdin.end(stdin);
      const run: Run = { code: null, stdout: "", stderr: "" };
      child.stdout.on("data", (chunk: Buffer) => (run.stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (run.stderr += chunk.toString()));
      return new Promise((resolve) => child.once("close", (code) => resolve({ ...run, code })));
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
