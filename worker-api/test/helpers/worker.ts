/** startWorkerApi options for tests that never reach a container or the token endpoint. */
export const NO_CONTAINER = {
  containerUrl: "http://127.0.0.1:9",
  containerControlToken: "unused",
  clientId: "worker",
  clientSecret: "unused",
  logLevel: "silent",
} as const;
