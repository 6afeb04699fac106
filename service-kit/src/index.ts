// The service kit: one way for each shared concern across auth-service, worker-api and
// container-client. This file only re-exports.
export * from "./redis/index.js";
