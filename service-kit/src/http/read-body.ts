import type { IncomingMessage } from "node:http";
import { BodyTooLargeError, MalformedBodyError } from "../errors/kit-errors.js";

/**
 * A body up to this many times the route's limit is still read (and thrown away) before
 * the answer, so the client sees the 413 instead of a reset connection; beyond it (or a
 * declared Content-Length beyond it) reading stops at once and the connection closes.
 */
const DRAIN_FACTOR = 4;
/** ...but never less than this (small limits such as the 16 KiB of the OAuth endpoints). */
const MIN_DRAIN_BYTES = 1024 * 1024;

function tooLarge(limitBytes: number, closeConnection: boolean): BodyTooLargeError {
  return new BodyTooLargeError(`the request body is larger than ${limitBytes} bytes`, closeConnection ? { headers: { Connection: "close" } } : {});
}

/**
 * The one limit rule of every service: reads the request body, at most `limitBytes`;
 * more is a `BodyTooLargeError` (413, RFC 9110 §15.5.14). A body that cannot be read
 * (the client went away mid-body) is a `MalformedBodyError` (400).
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const drainBytes = Math.max(limitBytes * DRAIN_FACTOR, MIN_DRAIN_BYTES);
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > drainBytes) {
    req.pause();
    return Promise.reject(tooLarge(limitBytes, true));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      else if (size > drainBytes) {
        cleanup();
        req.pause();
        reject(tooLarge(limitBytes, true));
      }
    };
    const onEnd = () => {
      cleanup();
      if (size > limitBytes) reject(tooLarge(limitBytes, false));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (cause: Error) => {
      cleanup();
      reject(new MalformedBodyError("the request body could not be read", { cause }));
    };
    const onAborted = () => onError(new Error("the client aborted the request"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}
