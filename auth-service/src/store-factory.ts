import { InProcessRevocationBus, type TokenPolicy } from "@gastown/token-policy";
import { createMemoryStore } from "./store/index.js";
import type { StoreKind } from "./provider.js";
import type { SessionStore } from "./store/types.js";

export interface OpenedStore {
  store: SessionStore;
  kind: StoreKind;
  revocationBus?: InProcessRevocationBus;
  close(): Promise<void>;
}

/** Redis when a URL is configured, else the in-memory store on an in-process revocation bus. */
export async function openStore(options: { redisUrl: string | null; prefix: string; policy: TokenPolicy; revocationBus?: InProcessRevocationBus }): Promise<OpenedStore> {
  if (options.redisUrl === null) {
    const bus = options.revocationBus ?? new InProcessRevocationBus();
    const store = createMemoryStore({ policy: options.policy, bus });
    return { store, kind: "memory", revocationBus: bus, close: () => store.close() };
  }
  throw new Error("the Redis store is not available yet");
}
