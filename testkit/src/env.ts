/**
 * The environment of a service started in a test with its development defaults
 * (generated keys and secrets, in-memory store): DESIGN.md "Settings" allows them only
 * with NODE_ENV=development.
 */
export const DEVELOPMENT: Readonly<NodeJS.ProcessEnv> = Object.freeze({ NODE_ENV: "development" });
