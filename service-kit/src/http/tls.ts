import { readFileSync } from "node:fs";

/** Where a server's certificate chain and private key are (PEM files). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** Reads the PEM files (`listen`, at start); an unreadable file is an `Error` naming the file, never its content. */
export function readTlsFiles(files: TlsFiles): { cert: Buffer; key: Buffer } {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`TLS ${what} file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  };
  return { cert: read(files.certFile, "certificate"), key: read(files.keyFile, "key") };
}
