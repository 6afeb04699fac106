/** Stable codes of store errors (callers switch on `code`, never on the message). */
export type StoreErrorCode = "ERR_STORE_INVALID_FILTER" | "ERR_STORE_INVALID_CURSOR" | "ERR_STORE_INVALID_LIMIT" | "ERR_STORE_CORRUPT" | "ERR_STORE_SCRIPT" | "ERR_STORE_CONFLICT" | "ERR_STORE_REPLICATION_SHORT";

/** Base class of every error the session stores throw. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
}
