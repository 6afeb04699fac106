/** The wire types the dispatcher speaks, from service-kit (one definition for the three services). */
export type { AgentIdentity, ContainerAgentStatus, ContainerSessionStatus, TokenPair } from "@gastown/service-kit";
