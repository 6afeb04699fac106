import * as agentDispatch from "./agent_dispatch.js";
import type { GrantModule } from "./grant.js";
import * as refreshToken from "./refresh_token.js";

/** Every grant the token endpoint accepts, registered from this one list. */
export const GRANTS: readonly GrantModule[] = [agentDispatch, refreshToken];

export const GRANT_TYPES: readonly string[] = GRANTS.map((grant) => grant.grantType);
