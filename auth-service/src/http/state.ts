import type { ParameterizedContext } from "koa";
import type { GrantModule } from "../grants/grant.js";
import type { Provider } from "../provider.js";
import type { AuthenticatedClient, FormParams } from "./oauth-request.js";

/** Koa state of every request (set by the app and the endpoint middleware). */
export interface AuthState {
  provider: Provider;
  params?: FormParams;
  client?: AuthenticatedClient;
  grant?: GrantModule;
  /** What the grant did (its result's `outcome`): the grants metric's outcome. */
  grantOutcome?: string;
  /** Logged once known (a verified token's session), never the token. */
  sessionId?: string;
}

export type AuthContext = ParameterizedContext<AuthState>;
export type AuthMiddleware = (ctx: AuthContext, next: () => Promise<unknown>) => Promise<void>;
