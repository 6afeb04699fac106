export type { Logger } from "@gastown/service-kit";
