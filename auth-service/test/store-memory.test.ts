import { waitFor } from "@gastown/testkit";
import { InProcessRevocationBus, type RevocationEvent } from "@gastown/token-policy";
import { createMemoryStore } from "../src/store/index.js";
import { storeContract } from "./store-contract.js";

storeContract("memory store", async (policy) => {
  const bus = new InProcessRevocationBus();
  const seen: RevocationEvent[] = [];
  const unsubscribe = bus.subscribe((event) => seen.push(event));
  const store = createMemoryStore({ policy, bus });
  return {
    store,
    policy,
    events: (count) => waitFor(() => seen.length >= count && [...seen], 10_000, `${count} revocation events`),
    async close() {
      unsubscribe();
      await store.close();
    },
  };
});
