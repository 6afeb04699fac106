import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { SpawnError } from "../errors.js";

/** util-linux's setpriv, where Debian and most images keep it. */
const SETPRIV_PATHS = ["/usr/bin/setpriv", "/bin/setpriv"];
let setprivPath: string | null | undefined;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findSetpriv(): string | null {
  setprivPath ??= SETPRIV_PATHS.find(executable) ?? null;
  return setprivPath;
}

/** `program` as execvp(3) would find it on `path`; `SpawnError` when it is nowhere. */
function resolveProgram(program: string, path: string | undefined): string {
  if (program.includes("/")) {
    const full = isAbsolute(program) ? program : resolve(program);
    if (executable(full)) return full;
  } else {
    for (const dir of (path ?? "").split(delimiter)) {
      if (dir !== "" && executable(join(dir, program))) return join(dir, program);
    }
  }
  throw new SpawnError(`could not start the agent command: ${program} is not an executable file${program.includes("/") ? "" : " on PATH"}`);
}

/** What to spawn for an agent, and whether it runs with no_new_privs. */
export interface AgentLaunch {
  file: string;
  args: string[];
  noNewPrivs: boolean;
}

/**
 * The command line that starts an agent. An agent running as its own uid is started
 * through `setpriv --no-new-privs` when the image has it: the kernel then refuses it any
 * privilege through a set-user-id program (su, mount, passwd; prctl(2) PR_SET_NO_NEW_PRIVS)
 * for its whole life and its children's. The program is looked up first, so a missing
 * one is still a `SpawnError` at start rather than an agent exiting with 127.
 */
export function agentLaunch(command: readonly string[], path: string | undefined, ownUid: boolean): AgentLaunch {
  const [program, ...args] = command;
  if (program === undefined) throw new SpawnError("the agent command is empty");
  const setpriv = ownUid ? findSetpriv() : null;
  if (setpriv === null) return { file: program, args, noNewPrivs: false };
  return { file: setpriv, args: ["--no-new-privs", "--", resolveProgram(program, path), ...args], noNewPrivs: true };
}
