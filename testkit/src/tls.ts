import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The script operators use for the compose file's certificates (one way to make them). */
const MAKE_CERTS = fileURLToPath(new URL("../../infra/tls/make-certs.sh", import.meta.url));

/** A throwaway CA and the auth-service certificate it signed, as PEM files. */
export interface TestCertificates {
  /** The CA certificate: give it to clients as `NODE_EXTRA_CA_CERTS`. */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The directory holding the three (remove it when done). */
  dir: string;
}

/** Makes a CA and a P-256 server certificate for `names` (IP addresses or DNS names) with `infra/tls/make-certs.sh`. */
export function makeTestCertificates(names: readonly string[]): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "gastown-tls-"));
  execFileSync("bash", [MAKE_CERTS, dir, ...names], { stdio: ["ignore", "ignore", "pipe"] });
  return { caFile: join(dir, "ca.crt"), certFile: join(dir, "auth-tls.crt"), keyFile: join(dir, "auth-tls.key"), dir };
}
