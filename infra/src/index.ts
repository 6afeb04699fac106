export { formatEvent, shortId, type StackEvent } from "./stack/events.js";
export { parseStackOptions, StackUsageError, type StackOptions, USAGE } from "./stack/options.js";
export { type RunningStack, STACK_AGENTS, STACK_TOWN, startLocalStack } from "./stack/start.js";
export { AgentWatch, type EventSink } from "./stack/watch.js";
