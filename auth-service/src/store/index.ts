export { StoreError, type StoreErrorCode } from "./errors.js";
export { createMemoryStore, type MemoryStoreOptions } from "./memory/index.js";
export { createRedisStore, type RedisStoreOptions } from "./redis/index.js";
export type { CreatedSession, EndedSession, InvalidReason, NewSession, OnSessionEnded, RotateInput, RotateResult, SessionFilter, SessionPage, SessionRecord, SessionState, SessionStore } from "./types.js";
