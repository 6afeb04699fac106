export { type AuthAppDeps, createAuthApp, createProvider } from "./app.js";
export { type AuthConfig, type DispatcherClient, loadAuthConfig } from "./config.js";
export { AuthConfigError, AuthServiceError, InvalidClientError, InvalidGrantError, InvalidRequestError, InvalidScopeError, OAuthError, ServerError, UnauthorizedClientError, UnsupportedGrantTypeError } from "./errors.js";
export { grantType as AGENT_DISPATCH_GRANT_TYPE } from "./grants/agent_dispatch.js";
export type { TokenResponse } from "./grants/grant.js";
export { type AuthServiceOptions, type RunningAuthService, startAuthService } from "./server.js";
export type { SessionRecord, SessionStore } from "./store/types.js";
