import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** An id for this worker-api instance: host, pid and a random part (a restarted process gets a new one). */
export function newInstanceId(): string {
  return `${hostname().replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40)}-${process.pid}-${randomBytes(3).toString("hex")}`;
}
