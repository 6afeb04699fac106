import { generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The secrets a restartable auth-service needs (the same keys and MAC secret after a restart). */
export interface StackSecrets {
  tokenSecret: string;
  adminToken: string;
  workerClientId: string;
  workerClientSecret: string;
  operatorToken: string;
  controlToken: string;
  signingKeysFile: string;
}

const random = () => randomBytes(32).toString("base64url");

/** Fresh secrets for one test, and an ES256 JWK Set (RFC 7517) written into `dir`. */
export function makeSecrets(dir: string): StackSecrets {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const signingKeysFile = join(dir, "signing-keys.json");
  writeFileSync(signingKeysFile, JSON.stringify({ keys: [{ ...jwk, kid: "infra-test-1", alg: "ES256", use: "sig" }] }), { mode: 0o600 });
  return {
    tokenSecret: random(),
    adminToken: random(),
    workerClientId: "worker",
    workerClientSecret: random(),
    operatorToken: random(),
    controlToken: random(),
    signingKeysFile,
  };
}
