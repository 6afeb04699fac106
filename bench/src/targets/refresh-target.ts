import type { ChildServer } from "../children/start-child.js";

/** A token server under test that serves refresh grants, running in its own process. */
export interface RefreshTarget {
  /** Shown in tables: "auth-service" or "oidc-provider". */
  name: string;
  child: ChildServer;
  /** The Redis key prefix the server writes under (deleted by `stop`). */
  prefix: string;
  tokenPath: string;
  /** Client id sent with each refresh grant (the public client). */
  clientId: string;
  /** Starts `count` new sessions and answers their first refresh tokens. */
  issue(count: number): Promise<string[]>;
  /** Stops the server and deletes its keys. */
  stop(): Promise<void>;
}
